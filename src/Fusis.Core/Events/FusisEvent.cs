namespace Fusis.Core.Events;

/// <summary>
/// One thing that happened on a balancer, as the event stream and the status page show it.
/// </summary>
/// <param name="Id">Increasing, without gaps, from 1 at the balancer's start: a client resumes after the last it saw.</param>
/// <param name="Time">When it happened.</param>
/// <param name="Type">What happened (<see cref="Vocabulary.Words.EventTypes"/>).</param>
/// <param name="Service">The service's name, when it is about one.</param>
/// <param name="Destination">The destination (address:port), when it is about one.</param>
/// <param name="Member">The Serf member, or the balancer of a cluster, when it is about one.</param>
/// <param name="Reason">Why, in words: the check's result, the Serf event, the request.</param>
public sealed record FusisEvent(long Id, DateTimeOffset Time, string Type, string? Service, string? Destination, string? Member, string Reason);
