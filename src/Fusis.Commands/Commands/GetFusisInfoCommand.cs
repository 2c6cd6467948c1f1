using System.Management.Automation;
using Fusis.Core.Model;

namespace Fusis.Commands.Commands;

/// <summary>Get-FusisInfo: the kernel's IPVS version, connection table size and number of services.</summary>
[Cmdlet(VerbsCommon.Get, "FusisInfo")]
[OutputType(typeof(FusisInfo))]
public sealed class GetFusisInfoCommand : FusisBackendCmdletBase
{
    protected override void EndProcessing() => WriteObject(Read(Backend.GetInfoAsync));
}
