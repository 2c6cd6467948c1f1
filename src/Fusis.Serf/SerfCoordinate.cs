namespace Fusis.Serf;

/// <summary>A node's network coordinate (Vivaldi); <see cref="Vector"/> is empty when the agent has none.</summary>
public sealed record SerfCoordinate(double Adjustment, double Error, double Height, IReadOnlyList<double> Vector);
