namespace Fusis.Core.Events;

/// <summary>Which events a client reads, and whether it waits for more once it has the history.</summary>
/// <param name="After">The last id it saw (0: the whole history).</param>
/// <param name="Types">Only these types (<see cref="Vocabulary.Words.EventTypes"/>); none: all.</param>
/// <param name="Service">Only this service's events.</param>
/// <param name="Follow">After the history, the live events, until cancelled.</param>
/// <param name="Missed">Told (in words) when the history no longer holds events after <paramref name="After"/>.</param>
public sealed record EventQuery(long After, IReadOnlyCollection<string> Types, string? Service, bool Follow, Action<string>? Missed = null)
{
    /// <summary>The request for these events: /events with its parameters, relative to the balancer's root.</summary>
    public string Path
    {
        get
        {
            var parts = new List<string>();
            if (After > 0)
            {
                parts.Add($"{EventStream.AfterParameter}={After.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            }

            if (Types.Count > 0)
            {
                parts.Add($"{EventStream.TypeParameter}={Uri.EscapeDataString(string.Join(',', Types))}");
            }

            if (Service is { } service)
            {
                parts.Add($"{EventStream.ServiceParameter}={Uri.EscapeDataString(service)}");
            }

            return parts.Count == 0 ? EventStream.Route : $"{EventStream.Route}?{string.Join('&', parts)}";
        }
    }
}
