using System.Net;
using System.Text.Json.Nodes;
using Fusis.Core;
using Fusis.Core.Api;
using Fusis.Core.Backends;
using Fusis.Core.Model;
using Fusis.Core.Operations;
using Fusis.Core.State;
using Fusis.Core.Vocabulary;

namespace Fusis.Daemon.Dsc;

/// <summary>
/// The operations of Fusis/Service (<paramref name="service"/>) or Fusis/Destination, over the host's backend (its
/// balancer daemon, or an engine in this process). The actual state is the kernel's, for services Fusis owns; set
/// runs the same operations as the API and the cmdlets, then converges that service in the kernel, so drift made
/// behind Fusis's back is repaired even when the desired state already says the right thing.
/// </summary>
internal sealed class DscResource(IFusisBackend backend, bool service)
{
    private static readonly System.Text.Json.JsonSerializerOptions Given = new()
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly string[] ServiceProperties =
        ["protocol", "address", "port", "firewallMark", "scheduler", "persistenceTimeout", "onePacket", "netmask", "schedulerFlags", "snat"];

    private static readonly string[] DestinationProperties =
        ["weight", "forwardingMethod", "upperThreshold", "lowerThreshold", "tunnelType", "tunnelPort", "tunnelChecksum"];

    public async Task<IReadOnlyList<JsonNode>> RunAsync(string operation, DscInput? input, CancellationToken cancellation) => operation switch
    {
        "get" => [await ActualAsync(input!, cancellation).ConfigureAwait(false)],
        "test" => await TestAsync(input!, cancellation).ConfigureAwait(false),
        "set" => await SetAsync(input!, cancellation).ConfigureAwait(false),
        "delete" => await DeleteAsync(input!, cancellation).ConfigureAwait(false),
        _ => await ExportAsync(cancellation).ConfigureAwait(false),
    };

    // test, with "return": "stateAndDiff": the actual state with _inDesiredState, then the names that differ.
    private async Task<IReadOnlyList<JsonNode>> TestAsync(DscInput input, CancellationToken cancellation)
    {
        JsonObject actual = await ActualAsync(input, cancellation).ConfigureAwait(false);
        JsonArray differing = Differing(input, actual);
        actual["_inDesiredState"] = differing.Count == 0;
        return [actual, differing];
    }

    private async Task<IReadOnlyList<JsonNode>> SetAsync(DscInput input, CancellationToken cancellation)
    {
        JsonObject actual = await ActualAsync(input, cancellation).ConfigureAwait(false);
        JsonArray differing = Differing(input, actual);
        if (differing.Count > 0)
        {
            bool present = actual["_exist"]!.GetValue<bool>();
            FusisOperation change = service ? SetService(input, present) : SetDestination(input, present);
            await backend.ChangeAsync(change, dryRun: false, cancellation).ConfigureAwait(false);
            if (input.Exist != false || !service)
            {
                await backend.ChangeAsync(new ConvergeServiceOperation(service ? input.Name! : input.ServiceName!), dryRun: false, cancellation).ConfigureAwait(false);
            }
        }

        return [await ActualAsync(input, cancellation).ConfigureAwait(false), differing];
    }

    private async Task<IReadOnlyList<JsonNode>> DeleteAsync(DscInput input, CancellationToken cancellation)
    {
        input.Exist = false;
        await SetAsync(input, cancellation).ConfigureAwait(false);
        return [];
    }

    private async Task<IReadOnlyList<JsonNode>> ExportAsync(CancellationToken cancellation)
    {
        var nodes = new List<JsonNode>();
        foreach (FusisService owned in (await backend.GetServicesAsync(cancellation).ConfigureAwait(false)).Where(s => s.Managed))
        {
            if (service)
            {
                nodes.Add(ServiceState(owned.Name!, owned));
                continue;
            }

            foreach (FusisDestination destination in await backend.GetDestinationsAsync(owned, cancellation).ConfigureAwait(false))
            {
                nodes.Add(DestinationState(owned.Name!, destination.Address, destination.Port, destination));
            }
        }

        return nodes;
    }

    private async Task<JsonObject> ActualAsync(DscInput input, CancellationToken cancellation)
    {
        IReadOnlyList<FusisService> services = await backend.GetServicesAsync(cancellation).ConfigureAwait(false);
        if (service)
        {
            string name = input.Name ?? throw FusisException.Invalid("name", "Fusis/Service needs a name");
            return ServiceState(name, services.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)));
        }

        (string serviceName, IPEndPoint endPoint) = Destination(input);
        FusisService owned = services.FirstOrDefault(s => string.Equals(s.Name, serviceName, StringComparison.OrdinalIgnoreCase))
            ?? throw new FusisException(FusisErrorCode.ServiceNotFound, $"Fusis owns no service named '{serviceName}'; declare it first (Fusis/Service)");
        FusisDestination? present = (await backend.GetDestinationsAsync(owned, cancellation).ConfigureAwait(false))
            .FirstOrDefault(d => IPAddress.Parse(d.Address).Equals(endPoint.Address) && d.Port == endPoint.Port);
        return DestinationState(owned.Name!, input.Address!, endPoint.Port, present);
    }

    private static FusisOperation SetService(DscInput input, bool present)
    {
        string name = input.Name!;
        if (input.Exist == false)
        {
            return new DeleteServiceOperation(name);
        }

        var request = new ServiceRequest
        {
            Name = name,
            Protocol = input.Protocol,
            Address = input.Address,
            Port = input.Port,
            FirewallMark = input.FirewallMark,
            Scheduler = input.Scheduler,
            Persistent = input.PersistenceTimeout,
            OnePacket = input.OnePacket,
            Netmask = input.Netmask,
            SchedulerFlags = input.SchedulerFlags,
            Snat = input.Snat,
        };
        return present ? new PatchServiceOperation(name, request) : new CreateServiceOperation(request);
    }

    private static FusisOperation SetDestination(DscInput input, bool present)
    {
        (string serviceName, IPEndPoint endPoint) = Destination(input);
        string id = endPoint.ToString();
        if (input.Exist == false)
        {
            return new DeleteDestinationOperation(serviceName, id);
        }

        var request = new DestinationRequest
        {
            Weight = input.Weight,
            UpperThreshold = input.UpperThreshold,
            LowerThreshold = input.LowerThreshold,
            Mode = input.ForwardingMethod,
            TunnelType = input.TunnelType,
            TunnelPort = input.TunnelPort,
            TunnelChecksum = input.TunnelChecksum,
        };
        if (present)
        {
            return new PatchDestinationOperation(serviceName, id, request);
        }

        request.Address = input.Address;
        request.Port = input.Port;
        return new AddDestinationOperation(serviceName, request);
    }

    private static (string Service, IPEndPoint EndPoint) Destination(DscInput input)
    {
        string name = input.ServiceName ?? throw FusisException.Invalid("serviceName", "Fusis/Destination needs a serviceName");
        if (input.Address is null || !IPAddress.TryParse(input.Address, out IPAddress? address) || input.Port is not (>= 1 and <= 65535))
        {
            throw FusisException.Invalid("address", "Fusis/Destination needs an IPv4 or IPv6 address and a port from 1 to 65535");
        }

        return (name, new IPEndPoint(address, input.Port.Value));
    }

    private static JsonObject ServiceState(string name, FusisService? present)
    {
        var state = new JsonObject { ["name"] = name, ["_exist"] = present is not null };
        if (present is not null)
        {
            state["protocol"] = present.Protocol;
            if (present.FirewallMark != 0)
            {
                state["firewallMark"] = present.FirewallMark;
            }
            else
            {
                state["address"] = present.Address;
                state["port"] = present.Port;
            }

            state["scheduler"] = present.Scheduler;
            state["persistenceTimeout"] = present.Persistent ? present.PersistenceTimeout : 0;
            state["onePacket"] = present.OnePacket;
            state["netmask"] = present.Netmask;
            state["schedulerFlags"] = new JsonArray([.. present.SchedulerFlags.Select(f => (JsonNode)f)]);
            state["snat"] = present.Snat;
        }

        return state;
    }

    private static JsonObject DestinationState(string serviceName, string address, int port, FusisDestination? present)
    {
        var state = new JsonObject { ["serviceName"] = serviceName, ["address"] = address, ["port"] = port, ["_exist"] = present is not null };
        if (present is not null)
        {
            state["weight"] = present.Weight;
            state["forwardingMethod"] = present.ForwardingMethod;
            state["upperThreshold"] = present.UpperThreshold;
            state["lowerThreshold"] = present.LowerThreshold;
            if (present.TunnelType is not null)
            {
                state["tunnelType"] = present.TunnelType;
                state["tunnelPort"] = present.TunnelPort;
                state["tunnelChecksum"] = present.TunnelChecksum;
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
                if (given[property] is { } wanted && !string.Equals(Canonical(property, wanted), Text(actual[property]), StringComparison.OrdinalIgnoreCase))
                {
                    differing.Add(property);
                }
            }
        }

        return differing;
    }

    // A word given in another spelling (an alias) names the same value.
    private static string Canonical(string property, JsonNode wanted) => property switch
    {
        "forwardingMethod" => Words.ForwardingMethods.Canonical(wanted.ToString())!,
        "tunnelType" => Words.TunnelTypes.Canonical(wanted.ToString())!,
        "tunnelChecksum" => Words.TunnelChecksums.Canonical(wanted.ToString())!,
        "snat" => SnatSetting.Canonical(wanted.ToString())!,
        "schedulerFlags" when wanted is JsonArray flags => Text(new JsonArray([.. flags.Select(f => (JsonNode?)Words.SchedulerFlags.Canonical(f?.ToString()))])),
        _ => Text(wanted),
    };

    // Flags compare as a set, the rest as text.
    private static string Text(JsonNode? node) =>
        node is JsonArray array ? string.Join(',', array.Select(n => n?.ToString()).Order(StringComparer.OrdinalIgnoreCase)) : node?.ToString() ?? string.Empty;
}
