namespace Fusis.Netlink.Ipvs;

/// <summary>IPVS_CMD_GET_INFO: the IPVS version and the size of the connection hash table.</summary>
public sealed record IpvsInfo(Version Version, uint ConnectionTableSize);
