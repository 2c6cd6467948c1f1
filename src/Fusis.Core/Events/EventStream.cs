namespace Fusis.Core.Events;

/// <summary>
/// The words of GET /events beyond the events themselves (its route and parameters, and Server-Sent Events names), for
/// the balancer that writes the stream and the clients that read it.
/// </summary>
public static class EventStream
{
    /// <summary>The route, relative to the balancer's root.</summary>
    public const string Route = "events";

    /// <summary>The parameter of the last id a reader saw (besides the Last-Event-ID header).</summary>
    public const string AfterParameter = "after";

    /// <summary>The parameter of the event types wanted, comma-separated.</summary>
    public const string TypeParameter = "type";

    /// <summary>The parameter of the service whose events are wanted.</summary>
    public const string ServiceParameter = "service";

    /// <summary>The reader missed events the history no longer holds; its data says after which id and from which it goes on.</summary>
    public const string Missed = "missed";

    /// <summary>The history is delivered; what follows is live.</summary>
    public const string CaughtUp = "caught-up";

    /// <summary>Nothing happened for a while; the connection lives.</summary>
    public const string KeepAlive = "keep-alive";
}
