using Fusis.Core.Membership;
using Fusis.Serf;

namespace Fusis.Daemon.Balancer;

/// <summary>Serf's member records as membership planning reads them.</summary>
internal static class SerfMembers
{
    public static IReadOnlyList<ClusterMember> ToCluster(IEnumerable<SerfMember> members) => members
        .Select(m => (Member: m, State: m.Status switch
        {
            SerfMemberStatus.Alive => MemberState.Alive,
            SerfMemberStatus.Leaving => MemberState.Leaving,
            SerfMemberStatus.Left => MemberState.Left,
            SerfMemberStatus.Failed => MemberState.Failed,
            _ => (MemberState?)null,
        }))
        .Where(m => m.State is not null)
        .Select(m => new ClusterMember(m.Member.Name, m.Member.Address, m.State!.Value, m.Member.Tags))
        .ToList();
}
