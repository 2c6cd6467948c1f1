using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Fusis.Core.Events;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace Fusis.Daemon.Api;

/// <summary>
/// GET /events: the balancer's events as Server-Sent Events. Each event has its id, its type as the SSE event name and
/// the event as JSON data. A client that reconnects with Last-Event-ID (or ?after=ID) gets what it missed, then the
/// live events; when what it missed is no longer kept it first gets a "missed" event. After the history, a
/// "caught-up" event says the rest is live. ?type=a,b and ?service=name filter.
/// </summary>
internal static class EventRoutes
{
    private static readonly TimeSpan KeepAliveEvery = TimeSpan.FromSeconds(15);

    public static void MapEventRoutes(this IEndpointRouteBuilder routes, EventLog log, IHostApplicationLifetime lifetime)
    {
        routes.MapRead("/" + EventStream.Route, (HttpContext context) =>
        {
            long after = Position(context);
            var types = Split(context.Request.Query[EventStream.TypeParameter]);
            if (types.FirstOrDefault(t => !Core.Vocabulary.Words.EventTypes.Words.Contains(t)) is { } unknown)
            {
                throw new ApiException($"type '{unknown}' is not an event type: {Core.Vocabulary.Words.EventTypes.Choices}");
            }

            string? service = context.Request.Query[EventStream.ServiceParameter].FirstOrDefault();
            bool Wanted(FusisEvent e) => (types.Count == 0 || types.Contains(e.Type)) && (service is null || string.Equals(e.Service, service, StringComparison.OrdinalIgnoreCase));
            context.Response.Headers.CacheControl = "no-cache";
            return TypedResults.ServerSentEvents(Stream(log, after, Wanted, lifetime.ApplicationStopping, context.RequestAborted));
        }).Describe("Server-Sent Events: every event (id, type as the event name, JSON data); Last-Event-ID or ?after= resumes, " +
            "\"missed\" says the history no longer holds what was missed, \"caught-up\" that the rest is live; ?type=a,b and ?service= filter",
            StatusCodes.Status200OK, "text/event-stream").Produces<Core.Api.ErrorResource>(StatusCodes.Status400BadRequest);
    }

    private static async IAsyncEnumerable<SseItem<string>> Stream(
        EventLog log, long after, Func<FusisEvent, bool> wanted, CancellationToken stopping, [EnumeratorCancellation] CancellationToken aborted)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(stopping, aborted);
        bool caughtUp = false;
        while (!both.IsCancellationRequested)
        {
            (IReadOnlyList<FusisEvent> events, bool missed) = log.Read(after);
            if (missed)
            {
                // Events after the reader's position are no longer kept (it was away too long, or its id is from an
                // earlier run; or, live, it reads slower than the history turns over): it is told, and goes on from the oldest kept.
                long oldest = events.Count > 0 ? events[0].Id : log.LastId + 1;
                yield return new SseItem<string>(Json(new { After = after, Oldest = oldest }), EventStream.Missed)
                {
                    ReconnectionInterval = caughtUp ? null : TimeSpan.FromSeconds(2),
                };
            }

            foreach (FusisEvent e in events)
            {
                after = e.Id;
                if (wanted(e))
                {
                    yield return new SseItem<string>(Json(e), e.Type) { EventId = e.Id.ToString(CultureInfo.InvariantCulture) };
                }
            }

            if (!caughtUp)
            {
                caughtUp = true;
                yield return new SseItem<string>(Json(new { LastId = after }), EventStream.CaughtUp);
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(both.Token);
            wait.CancelAfter(KeepAliveEvery);
            bool woken = true;
            try
            {
                await log.WaitAsync(after, wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                woken = false;
            }

            if (both.IsCancellationRequested)
            {
                yield break;
            }

            if (!woken)
            {
                // Something every so often, so that proxies and clients see a live connection.
                yield return new SseItem<string>("{}", EventStream.KeepAlive);
            }
        }
    }

    // Where a client resumes: Last-Event-ID (what EventSource sends on reconnect), else ?after=, else the whole history.
    private static long Position(HttpContext context)
    {
        string? text = context.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? context.Request.Query[EventStream.AfterParameter].FirstOrDefault();
        if (text is null)
        {
            return 0;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long id) && id > 0
            ? id
            : throw new ApiException($"Last-Event-ID (or after) '{text}' is not an event id (a positive whole number)");
    }

    private static HashSet<string> Split(Microsoft.Extensions.Primitives.StringValues values) =>
        values.SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToHashSet(StringComparer.Ordinal);

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, ApiJson.Options);
}
