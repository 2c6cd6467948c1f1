namespace Fusis.Core.Api;

/// <summary>GET /health: the kernel answers, what Fusis owns, and the kernel services it leaves alone.</summary>
public sealed record HealthResource(string Status, string IpvsVersion, uint ConnectionTableSize, int Services, IReadOnlyList<string> Unmanaged, long Reconciles);
