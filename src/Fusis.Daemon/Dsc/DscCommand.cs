using System.Text.Json;
using System.Text.Json.Nodes;
using Fusis.Core;
using Fusis.Core.Backends;
using Fusis.Daemon.Api;
using Fusis.Netlink.Ipvs;

namespace Fusis.Daemon.Dsc;

/// <summary>
/// `fusis dsc &lt;get|set|test|export|delete&gt; &lt;service|destination&gt;`: the DSC v3 command resources Fusis/Service and
/// Fusis/Destination (manifests in dsc/). JSON in on stdin, JSON Lines out on stdout, messages as JSON lines on
/// stderr. Its changes go where the cmdlets' go: to this host's balancer daemon over its local socket when one runs,
/// else to an engine in this process holding the store's lock; the same operations, rules and errors either way.
/// The executable starts in a fraction of pwsh's time, which matters because DSC starts one process per operation.
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

    public static string Usage =>
        "usage: fusis dsc get|set|test|export|delete service|destination  (JSON on stdin; through this host's balancer daemon when one runs " +
        "(FUSIS_SOCKET), else on the desired state FUSIS_STATE_PATH names)";

    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter messages, Func<IIpvsKernel> openKernel, string statePath, string socketPath)
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
            IFusisBackend backend = await LocalBackend.OpenAsync(statePath, socketPath, openKernel, CancellationToken.None).ConfigureAwait(false);
            await using (backend.ConfigureAwait(false))
            {
                var resource = new DscResource(backend, type == "service");
                foreach (JsonNode line in await resource.RunAsync(operation, request, CancellationToken.None).ConfigureAwait(false))
                {
                    await output.WriteLineAsync(line.ToJsonString()).ConfigureAwait(false);
                }
            }

            return Success;
        }
        catch (ApiException e)
        {
            Message(messages, "error", e.Message);
            return InvalidInput;
        }
        catch (FusisException e)
        {
            Message(messages, "error", e.Message);
            return e.Code switch
            {
                FusisErrorCode.InvalidArgument => InvalidInput,
                FusisErrorCode.IpvsUnavailable or FusisErrorCode.PermissionDenied => Unavailable,
                _ => Failed,
            };
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
