using System.Management.Automation;
using Fusis.Core.Model;

namespace Fusis.Commands.Commands;

/// <summary>Get-FusisCluster: the balancer's role in its cluster, the leader, the balancers, etcd and the last failover.</summary>
[Cmdlet(VerbsCommon.Get, "FusisCluster")]
[OutputType(typeof(FusisCluster))]
public sealed class GetFusisClusterCommand : FusisBackendCmdletBase
{
    protected override void EndProcessing() => WriteObject(Read(Backend.GetClusterAsync));
}
