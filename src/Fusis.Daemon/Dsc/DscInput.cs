namespace Fusis.Daemon.Dsc;

/// <summary>
/// The JSON DSC v3 sends for Fusis/Service and Fusis/Destination (camelCase, as DSC resources write it). Which
/// properties were given matters: only those are compared by test.
/// </summary>
internal sealed class DscInput
{
    public string? Name { get; set; }

    public string? ServiceName { get; set; }

    public string? Protocol { get; set; }

    public string? Address { get; set; }

    public int? Port { get; set; }

    public uint? FirewallMark { get; set; }

    public string? Scheduler { get; set; }

    public uint? PersistenceTimeout { get; set; }

    public bool? OnePacket { get; set; }

    public string? Netmask { get; set; }

    public List<string>? SchedulerFlags { get; set; }

    public string? Snat { get; set; }

    public int? Weight { get; set; }

    public string? ForwardingMethod { get; set; }

    public uint? UpperThreshold { get; set; }

    public uint? LowerThreshold { get; set; }

    public string? TunnelType { get; set; }

    public int? TunnelPort { get; set; }

    public string? TunnelChecksum { get; set; }

    [System.Text.Json.Serialization.JsonPropertyName("_exist")]
    public bool? Exist { get; set; }
}
