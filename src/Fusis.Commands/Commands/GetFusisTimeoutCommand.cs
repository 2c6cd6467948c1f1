using System.Management.Automation;
using Fusis.Core.Model;

namespace Fusis.Commands.Commands;

/// <summary>Get-FusisTimeout: the kernel's IPVS connection timeouts (TCP, TCP after FIN, UDP).</summary>
[Cmdlet(VerbsCommon.Get, "FusisTimeout")]
[OutputType(typeof(FusisTimeout))]
public sealed class GetFusisTimeoutCommand : FusisCmdletBase
{
    protected override void EndProcessing() => WriteObject(FusisTimeout.From(ReadKernel(kernel => kernel.GetTimeouts())));
}
