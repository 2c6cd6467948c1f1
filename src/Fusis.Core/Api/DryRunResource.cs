namespace Fusis.Core.Api;

/// <summary>The answer to a write with ?dryRun=true: the kernel operations it would make, in order; nothing was changed.</summary>
public sealed record DryRunResource(bool DryRun, IReadOnlyList<string> Operations);
