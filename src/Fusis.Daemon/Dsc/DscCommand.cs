using System.Text.Json;
using System.Text.Json.Nodes;
using Fusis.Core.Api;
using Fusis.Core.Engine;
using Fusis.Core.State;
using Fusis.Daemon.Api;
using Fusis.Netlink;
using Fusis.Netlink.Ipvs;

namespace Fusis.Daemon.Dsc;

/// <summary>
/// `fusis dsc &lt;get|set|test|export|delete&gt; &lt;service|destination&gt;`: the DSC v3 command resources Fusis/Service and
/// Fusis/Destination (manifests in dsc/). JSON in on stdin, JSON Lines out on stdout, messages as JSON lines on
/// stderr. It works on this host's kernel and desired state, under the store's lock, through the same engine as the
/// daemon (validated whole, saved, then applied; undone when the kernel refuses). The executable starts in a
/// fraction of pwsh's time, which matters because DSC starts one process per operation.
/// </summary>
public static class DscCommand
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int InvalidInput = 2;
    public const int Unavailable = 3;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = false,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    public static string Usage => "usage: fusis dsc get|set|test|export|delete service|destination  (JSON on stdin; FUSIS_STATE_PATH names the desired state)";

    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter messages, Func<IIpvsKernel> openKernel, string statePath)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(openKernel);
        if (args is not [var operation and ("get" or "set" or "test" or "export" or "delete"), var type and ("service" or "destination")])
        {
            Message(messages, "error", Usage);
            return InvalidInput;
        }

        try
        {
            DscInput? request = operation == "export" ? null : Read(await input.ReadToEndAsync().ConfigureAwait(false));
            var store = new DesiredStateStore(statePath);
            using IDisposable held = store.Lock(TimeSpan.FromSeconds(10));
            using IIpvsKernel kernel = openKernel();
            await using BalancerEngine engine = BalancerEngine.Start(store, kernel);
            var resource = new DscResource(engine, type == "service");
            foreach (JsonNode line in await resource.RunAsync(operation, request).ConfigureAwait(false))
            {
                await output.WriteLineAsync(line.ToJsonString()).ConfigureAwait(false);
            }

            return Success;
        }
        catch (ApiException e)
        {
            Message(messages, "error", e.Errors is null ? e.Message : $"{e.Message}: {string.Join("; ", e.Errors.Select(f => $"{f.Key}: {string.Join(", ", f.Value)}"))}");
            return e.StatusCode is 400 or 422 ? InvalidInput : Failed;
        }
        catch (DesiredStateException e)
        {
            Message(messages, "error", e.Message);
            return e.Problems.Count > 0 ? InvalidInput : Failed;
        }
        catch (NetlinkException e)
        {
            Message(messages, "error", e.Message);
            return Unavailable;
        }
    }

    /// <exception cref="ApiException">Not a JSON object of the resource's properties.</exception>
    private static DscInput Read(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<DscInput>(text, Json) ?? throw new ApiException("the input is null");
        }
        catch (JsonException e)
        {
            throw new ApiException($"the input is not this resource's JSON: {e.Message}", e);
        }
    }

    // DSC reads stderr as JSON lines: {"error": "..."}, {"info": "..."}, ...
    private static void Message(TextWriter messages, string level, string text) =>
        messages.WriteLine(new JsonObject { [level] = text }.ToJsonString());
}
