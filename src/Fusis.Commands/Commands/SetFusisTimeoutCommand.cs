using System.Management.Automation;
using Fusis.Core.Model;
using Fusis.Netlink;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands.Commands;

/// <summary>
/// Set-FusisTimeout: sets IPVS connection timeouts (ipvsadm --set). A timeout left out keeps its value. They apply
/// to the whole network namespace, not to one service, so they are not part of the desired state.
/// </summary>
[Cmdlet(VerbsCommon.Set, "FusisTimeout", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FusisTimeout))]
public sealed class SetFusisTimeoutCommand : FusisCmdletBase
{
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(IpvsTimeouts.MaxSeconds);

    /// <summary>Idle timeout of established TCP connections (a number is seconds).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SecondsTransformation]
    public TimeSpan? Tcp { get; set; }

    /// <summary>Timeout of TCP connections after a FIN (a number is seconds).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SecondsTransformation]
    public TimeSpan? TcpFin { get; set; }

    /// <summary>Timeout of UDP "connections" (a number is seconds).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SecondsTransformation]
    public TimeSpan? Udp { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (Tcp is null && TcpFin is null && Udp is null)
        {
            WriteError(InvalidArgument("give at least one of -Tcp, -TcpFin or -Udp", null));
            return;
        }

        if (Seconds(Tcp, nameof(Tcp)) is not { } tcp || Seconds(TcpFin, nameof(TcpFin)) is not { } tcpFin || Seconds(Udp, nameof(Udp)) is not { } udp)
        {
            return;
        }

        var timeouts = new IpvsTimeouts(tcp, tcpFin, udp);
        string change = string.Join(", ", new[] { ("tcp", tcp), ("tcpfin", tcpFin), ("udp", udp) }.Where(t => t.Item2 != 0).Select(t => $"{t.Item1} {t.Item2} s"));
        if (!ShouldProcess("IPVS connection timeouts", $"set {change}"))
        {
            return;
        }

        try
        {
            Kernel.SetTimeouts(timeouts);
        }
        catch (NetlinkException e)
        {
            WriteError(KernelErrors.ToErrorRecord(e, timeouts));
            return;
        }

        if (PassThru)
        {
            WriteObject(FusisTimeout.From(ReadKernel(kernel => kernel.GetTimeouts())));
        }
    }

    // Whole seconds from 1 s to the kernel's bound; 0 tells the kernel "unchanged". Null: a bad value, already reported.
    private uint? Seconds(TimeSpan? value, string parameter)
    {
        if (value is not { } timeout)
        {
            return 0;
        }

        if (timeout < TimeSpan.FromSeconds(1) || timeout > Longest || timeout.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            WriteError(InvalidArgument($"-{parameter} must be whole seconds from 1 s to {IpvsTimeouts.MaxSeconds} s (24.8 days: the kernel keeps seconds x HZ in an int, HZ up to 1000; a number is seconds), not {timeout}", timeout));
            return null;
        }

        return (uint)timeout.TotalSeconds;
    }
}
