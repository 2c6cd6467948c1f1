using Fusis.Core;
using Fusis.Core.Nat;

namespace Fusis.TestSupport;

/// <summary>
/// Fusis's SNAT tables in memory, for unit tests: what was last written, how often, and a way to change them
/// behind the engine's back. The lab proves the real nftables writer.
/// </summary>
public sealed class MemoryNatTables : INatTables
{
    public IReadOnlyList<SnatRule>? Rules { get; private set; }

    public int Writes { get; private set; }

    /// <summary>Every call, reads included (each would start an nft process).</summary>
    public int Calls { get; private set; }

    /// <summary>When set, every call refuses with NatUnavailable and this message.</summary>
    public string? Unavailable { get; set; }

    /// <summary>When set, Apply refuses (the tool is there, the rules are not accepted).</summary>
    public bool RefuseRules { get; set; }

    public void EnsureAvailable()
    {
        Calls++;
        if (Unavailable is not null)
        {
            throw new FusisException(FusisErrorCode.NatUnavailable, Unavailable);
        }
    }

    public void Apply(IReadOnlyList<SnatRule> rules)
    {
        Calls++;
        EnsureAvailable();
        if (RefuseRules)
        {
            throw new FusisException(FusisErrorCode.NatUnavailable, "nft refused the rules");
        }

        Rules = rules.Count == 0 ? null : rules;
        Writes++;
    }

    public string? Read()
    {
        Calls++;
        EnsureAvailable();
        return Rules is null ? null : string.Join("\n", Rules.Select(r => $"{r.Service} {r.Key} {string.Join(',', r.Destinations)} {r.Setting}"));
    }

    /// <summary>Someone deletes the tables behind Fusis's back.</summary>
    public void DeleteTables() => Rules = null;
}
