using System.Net;
using System.Text.Json.Nodes;
using Fusis.Core.Api;
using Fusis.Core.Engine;
using Fusis.Core.State;
using Fusis.Daemon.Api;
using Fusis.Netlink.Ipvs;
using Microsoft.AspNetCore.Http;

namespace Fusis.Daemon.Dsc;

/// <summary>
/// The operations of Fusis/Service (<paramref name="service"/>) or Fusis/Destination. The actual state is the
/// kernel's, for services Fusis owns; set changes the desired state, then converges that service in the kernel,
/// so drift made behind Fusis's back is repaired even when the desired state already says the right thing.
/// </summary>
internal sealed class DscResource(BalancerEngine engine, bool service)
{
    // The input as JSON with only the properties given (what test and set compare).
    private static readonly System.Text.Json.JsonSerializerOptions Given = new()
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly string[] ServiceProperties =
        ["protocol", "address", "port", "firewallMark", "scheduler", "persistenceTimeout", "onePacket", "netmask", "schedulerFlags"];

    private static readonly string[] DestinationProperties =
        ["weight", "forwardingMethod", "upperThreshold", "lowerThreshold", "tunnelType", "tunnelPort", "tunnelChecksum"];

    public async Task<IReadOnlyList<JsonNode>> RunAsync(string operation, DscInput? input) => operation switch
    {
        "get" => [await ActualAsync(input!).ConfigureAwait(false)],
        "test" => await TestAsync(input!).ConfigureAwait(false),
        "set" => await SetAsync(input!).ConfigureAwait(false),
        "delete" => await DeleteAsync(input!).ConfigureAwait(false),
        _ => await ExportAsync().ConfigureAwait(false),
    };

    // test, with "return": "stateAndDiff": the actual state with _inDesiredState, then the names that differ.
    private async Task<IReadOnlyList<JsonNode>> TestAsync(DscInput input)
    {
        JsonObject actual = await ActualAsync(input).ConfigureAwait(false);
        JsonArray differing = Differing(input, actual);
        actual["_inDesiredState"] = differing.Count == 0;
        return [actual, differing];
    }

    private async Task<IReadOnlyList<JsonNode>> SetAsync(DscInput input)
    {
        JsonArray differing = Differing(input, await ActualAsync(input).ConfigureAwait(false));
        if (differing.Count > 0)
        {
            IpvsServiceKey? key = null;
            EngineChange change = await engine.ChangeAsync((state, kernel) =>
            {
                (DesiredState next, key) = service ? SetService(state, kernel, input) : SetDestination(state, input);
                return next;
            }).ConfigureAwait(false);
            ThrowIfRefused(change);
            if (key is not null)
            {
                ThrowIfRefused(await engine.ConvergeAsync(new HashSet<IpvsServiceKey> { key }).ConfigureAwait(false));
            }
        }

        return [await ActualAsync(input).ConfigureAwait(false), differing];
    }

    private async Task<IReadOnlyList<JsonNode>> DeleteAsync(DscInput input)
    {
        input.Exist = false;
        await SetAsync(input).ConfigureAwait(false);
        return [];
    }

    private async Task<IReadOnlyList<JsonNode>> ExportAsync() => await engine.ReadAsync((state, kernel) =>
        state.Services.SelectMany(s => service
            ? [ServiceState(s.Name, kernel.GetService(s.Key))]
            : kernel.GetDestinations(s.Key).Select(d => DestinationState(s.Name, d.Address.ToString(), d.Port, d))).Cast<JsonNode>().ToList()).ConfigureAwait(false);

    private Task<JsonObject> ActualAsync(DscInput input) => engine.ReadAsync((state, kernel) =>
    {
        if (service)
        {
            string name = input.Name ?? throw ApiException.Invalid("name", "Fusis/Service needs a name");
            return ServiceState(name, state.Find(name) is { } named ? kernel.GetService(named.Key) : null);
        }

        (DesiredService owned, IPEndPoint endPoint) = Destination(state, input);
        IpvsDestination? present = kernel.GetDestinations(owned.Key).FirstOrDefault(d => d.Address.Equals(endPoint.Address) && d.Port == endPoint.Port);
        return DestinationState(owned.Name, input.Address!, endPoint.Port, present);
    });

    private static (DesiredState Next, IpvsServiceKey? Key) SetService(DesiredState state, IIpvsKernel kernel, DscInput input)
    {
        DesiredService? owned = state.Find(input.Name!);
        if (input.Exist == false)
        {
            return owned is null
                ? (state, null)
                : (new DesiredState(state.Services.Where(s => s != owned).ToList(), [.. state.Retired, owned.Key]), null);
        }

        var request = new ServiceRequest
        {
            Name = input.Name, Protocol = input.Protocol, Address = input.Address, Port = input.Port, FirewallMark = input.FirewallMark,
            Scheduler = input.Scheduler, Persistent = input.PersistenceTimeout, OnePacket = input.OnePacket, Netmask = input.Netmask,
            SchedulerFlags = input.SchedulerFlags,
        };
        if (owned is not null)
        {
            DesiredService patched = RequestMapper.Patch(owned, request);
            return (state with { Services = state.Services.Select(s => s == owned ? patched : s).ToList() }, owned.Key);
        }

        DesiredService created = RequestMapper.ToService(request, input.Name);
        return (ServiceRoutes.Create(state, kernel, created), created.Key);
    }

    private static (DesiredState Next, IpvsServiceKey? Key) SetDestination(DesiredState state, DscInput input)
    {
        (DesiredService owned, IPEndPoint endPoint) = Destination(state, input);
        IpvsDestination? present = owned.Destinations.FirstOrDefault(d => d.Address.Equals(endPoint.Address) && d.Port == endPoint.Port);
        var request = new DestinationRequest
        {
            Address = input.Address, Port = input.Port, Weight = input.Weight, UpperThreshold = input.UpperThreshold, LowerThreshold = input.LowerThreshold,
            Mode = input.ForwardingMethod is { } method ? ApiNames.Mode(Enum.Parse<IpvsForwardingMethod>(method, ignoreCase: true)) : null,
            TunnelType = input.TunnelType, TunnelPort = input.TunnelPort, TunnelChecksum = input.TunnelChecksum,
        };
        DesiredService next = input.Exist == false
            ? present is null ? owned : owned.WithDestinations(owned.Destinations.Where(d => d != present).ToList())
            : present is null ? RequestMapper.AddDestination(owned, request) : RequestMapper.PatchDestination(owned, present, WithoutIdentity(request));
        return (state with { Services = state.Services.Select(s => s == owned ? next : s).ToList() }, owned.Key);
    }

    // A PATCH body may not name the destination's identity, which the resource's keys already gave.
    private static DestinationRequest WithoutIdentity(DestinationRequest request)
    {
        request.Address = null;
        request.Port = null;
        return request;
    }

    private static (DesiredService Owned, IPEndPoint EndPoint) Destination(DesiredState state, DscInput input)
    {
        string name = input.ServiceName ?? throw ApiException.Invalid("serviceName", "Fusis/Destination needs a serviceName");
        if (input.Address is null || !IPAddress.TryParse(input.Address, out IPAddress? address) || input.Port is not (>= 1 and <= 65535))
        {
            throw ApiException.Invalid("address", "Fusis/Destination needs an IPv4 or IPv6 address and a port from 1 to 65535");
        }

        if (input.ForwardingMethod is { } method && !Enum.TryParse<IpvsForwardingMethod>(method, ignoreCase: true, out _))
        {
            throw ApiException.Invalid("forwardingMethod", $"'{method}' is not masquerade, directRoute or tunnel");
        }

        DesiredService owned = state.Find(name) ?? throw ApiException.NotFound($"Fusis owns no service named '{name}'; declare it first (Fusis/Service)");
        return (owned, new IPEndPoint(address, input.Port.Value));
    }

    private static JsonObject ServiceState(string name, IpvsService? present)
    {
        var state = new JsonObject { ["name"] = name, ["_exist"] = present is not null };
        if (present is not null)
        {
            IpvsServiceKey key = present.Key;
            state["protocol"] = ApiNames.Protocol(key);
            if (key.IsFirewallMark)
            {
                state["firewallMark"] = key.FirewallMark;
            }
            else
            {
                state["address"] = key.Address.ToString();
                state["port"] = key.Port;
            }

            state["scheduler"] = present.Scheduler;
            state["persistenceTimeout"] = (present.Flags & IpvsServiceFlags.Persistent) != 0 ? present.Timeout : 0;
            state["onePacket"] = (present.Flags & IpvsServiceFlags.OnePacket) != 0;
            state["netmask"] = Core.Netmask.Format(key.AddressFamily, present.EffectiveNetmask);
            state["schedulerFlags"] = new JsonArray([.. ApiNames.SchedulerFlags.Where(f => (present.Flags & f.Flag) != 0).Select(f => (JsonNode)f.Name)]);
        }

        return state;
    }

    private static JsonObject DestinationState(string serviceName, string address, int port, IpvsDestination? present)
    {
        var state = new JsonObject { ["serviceName"] = serviceName, ["address"] = address, ["port"] = port, ["_exist"] = present is not null };
        if (present is not null)
        {
            state["weight"] = present.Weight;
            state["forwardingMethod"] = CamelCase(present.ForwardingMethod.ToString());
            state["upperThreshold"] = present.UpperThreshold;
            state["lowerThreshold"] = present.LowerThreshold;
            if (present.ForwardingMethod == IpvsForwardingMethod.Tunnel)
            {
                state["tunnelType"] = ApiNames.TunnelType(present);
                state["tunnelPort"] = present.TunnelPort;
                state["tunnelChecksum"] = ApiNames.TunnelChecksum(present);
            }
        }

        return state;
    }

    // The properties the input gives whose actual value differs (_exist included); what DSC's stateAndDiff wants.
    private JsonArray Differing(DscInput input, JsonObject actual)
    {
        var given = System.Text.Json.JsonSerializer.SerializeToNode(input, Given)!.AsObject();
        bool exist = input.Exist ?? true;
        var differing = new JsonArray();
        if (exist != actual["_exist"]!.GetValue<bool>())
        {
            differing.Add("_exist");
        }

        if (exist && actual["_exist"]!.GetValue<bool>())
        {
            foreach (string property in service ? ServiceProperties : DestinationProperties)
            {
                if (given[property] is { } wanted && !string.Equals(Text(wanted), Text(actual[property]), StringComparison.OrdinalIgnoreCase))
                {
                    differing.Add(property);
                }
            }
        }

        return differing;
    }

    // Flags compare as a set, the rest as text.
    private static string Text(JsonNode? node) =>
        node is JsonArray array ? string.Join(',', array.Select(n => n?.ToString()).Order(StringComparer.OrdinalIgnoreCase)) : node?.ToString() ?? string.Empty;

    private static string CamelCase(string name) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(name);

    private static void ThrowIfRefused(EngineChange change)
    {
        if (change.Refused is { Error: { } refused })
        {
            throw new ApiException(StatusCodes.Status422UnprocessableEntity, $"the kernel refused the change, which was undone: {refused.Message}");
        }
    }
}
