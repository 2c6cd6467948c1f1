namespace Fusis.Core.Ipvsadm;

/// <summary>Services with their destinations, in order: what `ipvsadm -S` saves and `ipvsadm -R` restores.</summary>
public sealed record IpvsTable(IReadOnlyList<IpvsTableService> Services)
{
    public static IpvsTable Empty { get; } = new([]);

    public int ObjectCount => Services.Sum(s => 1 + s.Destinations.Count);

    public bool Equals(IpvsTable? other) => other is not null && Services.SequenceEqual(other.Services);

    public override int GetHashCode() => Services.Count;
}
