using System.Management.Automation;
using Fusis.Core.Model;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands.Commands;

/// <summary>Get-FusisInfo: the kernel's IPVS version, connection table size and number of services.</summary>
[Cmdlet(VerbsCommon.Get, "FusisInfo")]
[OutputType(typeof(FusisInfo))]
public sealed class GetFusisInfoCommand : FusisRemotableCmdletBase
{
    protected override void EndProcessing()
    {
        if (Api is not null)
        {
            if (RemoteRead(api => api.GetHealth(), Api.Balancer) is { } health)
            {
                WriteObject(new FusisInfo(health.IpvsVersion, health.ConnectionTableSize, health.Services + health.Unmanaged.Count));
            }

            return;
        }

        (IpvsInfo info, int services) = ReadKernel(kernel => (kernel.GetInfo(), kernel.GetServices().Count));
        WriteObject(new FusisInfo(info.Version.ToString(), info.ConnectionTableSize, services));
    }
}
