using Fusis.Core.Api;

namespace Fusis.Core.Backends;

/// <summary>
/// What one operation did: the kernel operations planned (in the engine's words), whether it created what it names,
/// and the service or destination it is about as the API shows them (none on a dry run or for a deletion).
/// </summary>
public sealed record ChangeOutcome(bool DryRun, IReadOnlyList<string> Plan, bool Created, ServiceResource? Service, DestinationResource? Destination);
