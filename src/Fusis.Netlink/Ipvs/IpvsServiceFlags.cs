namespace Fusis.Netlink.Ipvs;

/// <summary>IP_VS_SVC_F_* that users set (the kernel's HASHED bit is never reported here).</summary>
[Flags]
public enum IpvsServiceFlags : uint
{
    None = 0,

    /// <summary>IP_VS_SVC_F_PERSISTENT: clients stick to a destination for the persistence timeout.</summary>
    Persistent = 0x0001,

    /// <summary>IP_VS_SVC_F_ONEPACKET: schedule every UDP datagram on its own (ipvsadm -o).</summary>
    OnePacket = 0x0004,

    /// <summary>IP_VS_SVC_F_SCHED1: sh-fallback / mh-fallback (use another destination when the chosen one is unavailable).</summary>
    SchedulerFallback = 0x0008,

    /// <summary>IP_VS_SVC_F_SCHED2: sh-port / mh-port (hash the source port too).</summary>
    SchedulerPort = 0x0010,

    /// <summary>IP_VS_SVC_F_SCHED3: a third scheduler-specific flag (flag-3); no in-tree scheduler uses it.</summary>
    SchedulerFlag3 = 0x0020,
}
