using System.Text.Json.Serialization;

namespace Fusis.Core.Api;

/// <summary>
/// A service as clients send it: the original Fusis fields (Name, Host or Address, Port, Protocol, Scheduler,
/// Mode, Persistent) and Fusis's own. Absent fields are null: a PATCH changes only the fields present.
/// </summary>
public sealed class ServiceRequest
{
    public string? Name { get; set; }

    [JsonConverter(typeof(EmptyIsNotGiven))]
    public string? Address { get; set; }

    /// <summary>The original Fusis's name for <see cref="Address"/>.</summary>
    [JsonConverter(typeof(EmptyIsNotGiven))]
    public string? Host { get; set; }

    public int? Port { get; set; }

    /// <summary>tcp (default), udp, sctp, or fwm with <see cref="FirewallMark"/>.</summary>
    [JsonConverter(typeof(EmptyIsNotGiven))]
    public string? Protocol { get; set; }

    public uint? FirewallMark { get; set; }

    /// <summary>ipv4 or ipv6, for firewall-mark services.</summary>
    public string? AddressFamily { get; set; }

    [JsonConverter(typeof(EmptyIsNotGiven))]
    public string? Scheduler { get; set; }

    /// <summary>The forwarding method of destinations added without one: nat (default), route or tunnel.</summary>
    [JsonConverter(typeof(EmptyIsNotGiven))]
    public string? Mode { get; set; }

    /// <summary>Seconds of persistence; 0: none.</summary>
    public uint? Persistent { get; set; }

    public string? Netmask { get; set; }

    public string? PersistenceEngine { get; set; }

    public bool? OnePacket { get; set; }

    /// <summary>fallback, port, flag-3.</summary>
    public List<string>? SchedulerFlags { get; set; }

    /// <summary>off, masquerade, or an address of the balancer (SnatSetting); absent on creation: the balancer's default.</summary>
    public string? Snat { get; set; }

    /// <summary>Destinations to create with the service (POST) or to replace its destinations with (PUT).</summary>
    public List<DestinationRequest>? Destinations { get; set; }

    internal object MemberwiseCopy() => MemberwiseClone();
}
