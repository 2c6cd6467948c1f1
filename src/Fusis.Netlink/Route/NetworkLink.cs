namespace Fusis.Netlink.Route;

/// <summary>A network interface as rtnetlink reports it.</summary>
public sealed record NetworkLink(int Index, string Name, bool IsUp, string? Kind);
