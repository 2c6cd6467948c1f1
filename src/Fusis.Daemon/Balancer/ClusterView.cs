using Fusis.Core.Membership;

namespace Fusis.Daemon.Balancer;

/// <summary>The cluster as the balancer last read it (for GET /members); empty without Serf.</summary>
internal sealed class ClusterView
{
    private IReadOnlyList<ClusterMember> _members = [];

    public IReadOnlyList<ClusterMember> Members
    {
        get => Volatile.Read(ref _members);
        set => Volatile.Write(ref _members, value);
    }
}
