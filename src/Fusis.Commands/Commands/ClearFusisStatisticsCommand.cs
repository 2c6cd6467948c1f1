using System.Management.Automation;
using Fusis.Core.Model;
using Fusis.Core.State;
using Fusis.Netlink;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands.Commands;

/// <summary>
/// Clear-FusisStatistics: zeroes the counters of services Fusis owns and of their destinations (ipvsadm -Z).
/// Counters are properties of the objects Get-FusisService and Get-FusisDestination write, so there is no
/// Get-FusisStatistics. Without a name, every owned service; services Fusis does not own are never zeroed.
/// </summary>
[Cmdlet(VerbsCommon.Clear, "FusisStatistics", DefaultParameterSetName = ByName, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(void))]
public sealed class ClearFusisStatisticsCommand : FusisCmdletBase
{
    public const string ByName = nameof(ByName);
    public const string ByInputObject = nameof(ByInputObject);

    /// <summary>Names (wildcards allowed) of owned services; none: every owned service.</summary>
    // Not by property name: piped services bind to InputObject, whose Name may be null (not owned).
    [Parameter(ParameterSetName = ByName, Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ServiceNameCompleter))]
    public string[] Name { get; set; } = ["*"];

    [Parameter(ParameterSetName = ByInputObject, Mandatory = true, ValueFromPipeline = true)]
    public FusisService[] InputObject { get; set; } = [];

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ByName)
        {
            foreach (string name in Name)
            {
                foreach (DesiredService service in MatchOwned(Desired.Services, s => s.Name, name))
                {
                    Zero(service.Name, service.Key);
                }
            }

            return;
        }

        ForEachOwned(InputObject, service => Zero(service.Name!, service.Key));
    }

    private void Zero(string name, IpvsServiceKey key)
    {
        if (!ShouldProcess($"{name} ({key})", "zero the counters of the service and its destinations"))
        {
            return;
        }

        try
        {
            Kernel.ZeroStatistics(key);
        }
        catch (NetlinkException e)
        {
            WriteError(KernelErrors.ToErrorRecord(e, name));
        }
    }
}
