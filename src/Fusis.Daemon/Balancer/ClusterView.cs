using Fusis.Core.Membership;

namespace Fusis.Daemon.Balancer;

/// <summary>The Serf cluster as the balancer last read it (for GET /members and the status page); empty without Serf.</summary>
internal sealed class ClusterView
{
    private IReadOnlyList<ClusterMember> _members = [];
    private volatile bool _serfReachable;

    /// <summary>Whether the balancer follows its Serf agent now (false without Serf).</summary>
    public bool SerfReachable
    {
        get => _serfReachable;
        set => _serfReachable = value;
    }

    public IReadOnlyList<ClusterMember> Members
    {
        get => Volatile.Read(ref _members);
        set => Volatile.Write(ref _members, value);
    }
}
