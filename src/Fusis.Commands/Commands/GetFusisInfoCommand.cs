using System.Management.Automation;
using Fusis.Core.Model;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands.Commands;

/// <summary>Get-FusisInfo: the kernel's IPVS version, connection table size and number of services.</summary>
[Cmdlet(VerbsCommon.Get, "FusisInfo")]
[OutputType(typeof(FusisInfo))]
public sealed class GetFusisInfoCommand : FusisCmdletBase
{
    protected override void EndProcessing()
    {
        (IpvsInfo info, int services) = ReadKernel(kernel => (kernel.GetInfo(), kernel.GetServices().Count));
        WriteObject(new FusisInfo(info.Version.ToString(), info.ConnectionTableSize, services));
    }
}
