namespace Fusis.Core.Api;

/// <summary>GET /members: a cluster member, what it announces, and how many destinations route to it.</summary>
public sealed record MemberResource(string Name, string Address, string Status, bool Draining, IReadOnlyList<string> Services, int Destinations);
