namespace Fusis.Core.Nat;

/// <summary>
/// The packet-filter tables Fusis owns for SNAT (nftables' <c>ip fusis</c> and <c>ip6 fusis</c>): written whole, read
/// back to find drift. Nothing else in the ruleset is read or touched.
/// </summary>
public interface INatTables
{
    /// <summary>Checks that the rules can be written (the tool is installed, the kernel supports them).</summary>
    /// <exception cref="FusisException">NatUnavailable, naming the package or module that is missing.</exception>
    void EnsureAvailable();

    /// <summary>Replaces Fusis's tables with exactly <paramref name="rules"/> in one transaction; no rules: the tables are deleted.</summary>
    /// <exception cref="FusisException">NatUnavailable: the rules were refused; the tables are as they were.</exception>
    void Apply(IReadOnlyList<SnatRule> rules);

    /// <summary>What Fusis's tables hold now, in a form that compares equal while nobody changed them (counters left out); null: no tables.</summary>
    string? Read();
}
