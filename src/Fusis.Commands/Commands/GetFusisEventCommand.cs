using System.Collections.Concurrent;
using System.Management.Automation;
using Fusis.Core;
using Fusis.Core.Events;
using Fusis.Core.Vocabulary;

namespace Fusis.Commands.Commands;

/// <summary>
/// Get-FusisEvent: a balancer's events (services and destinations created, changed, up, down, draining, removed; Serf
/// members; drift repaired; leader changes), its recent history, and with -Wait the live ones as they happen, until
/// Ctrl+C, -Timeout, or a downstream Select-Object -First has what it wants. From this host's balancer daemon, or the
/// one -Balancer names.
/// </summary>
[Cmdlet(VerbsCommon.Get, "FusisEvent")]
[OutputType(typeof(FusisEvent))]
public sealed class GetFusisEventCommand : FusisBackendCmdletBase
{
    /// <summary>Only events after this id (the last one seen); none: the whole history the balancer keeps.</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long After { get; set; }

    /// <summary>Only events of these types (destination-down, member-failed, ...).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(WordCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Type { get; set; } = [];

    /// <summary>Only the events of this service.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ServiceNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? ServiceName { get; set; }

    /// <summary>After the history, wait for new events and write each as it happens.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>With -Wait: stop waiting after this long.</summary>
    [Parameter]
    public TimeSpan? Timeout { get; set; }

    protected override void EndProcessing()
    {
        if (Type.FirstOrDefault(t => !Words.EventTypes.Words.Contains(t)) is { } unknown)
        {
            ThrowTerminatingError(FusisErrors.ToErrorRecord(FusisException.Invalid("Type", $"'{unknown}' is not an event type: {Words.EventTypes.Choices}"), unknown));
        }

        if (Timeout is { } limit && (!Wait || limit <= TimeSpan.Zero))
        {
            ThrowTerminatingError(FusisErrors.ToErrorRecord(FusisException.Invalid("Timeout", "-Timeout is a positive time, and goes with -Wait"), limit));
        }

        // Told on the stream's thread, written on the pipeline's.
        var missed = new ConcurrentQueue<string>();
        var query = new EventQuery(After, Type, ServiceName, Wait, missed.Enqueue);
        Stream(cancellation => Backend.ReadEventsAsync(query, cancellation), Timeout, e =>
        {
            while (missed.TryDequeue(out string? warning))
            {
                WriteWarning(warning);
            }

            WriteObject(e);
        });
        while (missed.TryDequeue(out string? warning))
        {
            WriteWarning(warning);
        }
    }
}
