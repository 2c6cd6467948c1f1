using Fusis.Core.Api;
using System.Net;
using Fusis.Core.Engine;
using Fusis.Core.Membership;
using Fusis.Core.State;
using Fusis.Netlink;
using Fusis.Netlink.Ipvs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Fusis.Daemon.Api;

/// <summary>
/// The original Fusis routes over the engine. Every write runs on the engine's loop as one change (validated,
/// saved, applied incrementally); ?dryRun=true returns the planned kernel operations instead.
/// </summary>
internal static class ServiceRoutes
{
    public static void MapServiceRoutes(this IEndpointRouteBuilder routes, BalancerEngine engine, ApiBody body, IPNetwork? vipRange)
    {
        routes.MapGet("/services", async () => Results.Json(await engine.ReadAsync((state, kernel) =>
            state.Services.Select(s => Read(s, kernel)).ToList()).ConfigureAwait(false), ApiJson.Options));

        routes.MapGet("/services/{name}", async (string name) => Results.Json(await engine.ReadAsync((state, kernel) =>
            Read(Owned(state, name), kernel)).ConfigureAwait(false), ApiJson.Options));

        routes.MapPost("/services", async (HttpContext context) =>
        {
            ServiceRequest request = await body.ReadAsync<ServiceRequest>(context).ConfigureAwait(false);
            bool allocate = vipRange is not null && request.Address is null && request.Host is null && request.FirewallMark is null;
            DesiredService? service = allocate ? null : RequestMapper.ToService(request, routeName: null);
            return await ChangeAsync(
                context,
                engine,
                (state, kernel) =>
                {
                    if (allocate)
                    {
                        // IPAM: allocated on the loop, so two creates never get the same address.
                        IPAddress address = VipAllocator.Allocate(vipRange!.Value, state, kernel.GetServices().Select(s => s.Key))
                            ?? throw ApiException.Conflict($"no free address is left in the VIP range {vipRange}");
                        request.Address = address.ToString();
                        service = RequestMapper.ToService(request, routeName: null);
                    }

                    return Create(state, kernel, service!);
                },
                (state, kernel) => Read(Owned(state, service!.Name), kernel),
                () => $"/services/{service!.Name}").ConfigureAwait(false);
        });

        routes.MapPost("/services/{name}/check", async (HttpContext context, string name) =>
        {
            HealthCheck check = CheckMapper.ToCheck(await body.ReadAsync<CheckRequest>(context).ConfigureAwait(false));
            return await ChangeAsync(
                context,
                engine,
                (state, _) =>
                {
                    DesiredService existing = Owned(state, name);
                    return Replace(state, existing, existing with { Check = check });
                },
                (state, kernel) => Read(Owned(state, name), kernel)).ConfigureAwait(false);
        });

        routes.MapDelete("/services/{name}/check", (HttpContext context, string name) => ChangeAsync(context, engine, (state, _) =>
        {
            DesiredService existing = Owned(state, name);
            // Without a check nothing holds a destination down any more.
            var labels = existing.Labels.ToDictionary(l => l.Key, l => l.Value with { Down = false });
            return Replace(state, existing, existing with { Check = null, Labels = labels });
        }));

        routes.MapPut("/services/{name}", async (HttpContext context, string name) =>
        {
            ServiceRequest request = await body.ReadAsync<ServiceRequest>(context).ConfigureAwait(false);
            DesiredService service = RequestMapper.ToService(request, name);
            bool created = false;
            return await ChangeAsync(
                context,
                engine,
                (state, kernel) =>
                {
                    if (state.Find(name) is not { } existing)
                    {
                        created = true;
                        return Create(state, kernel, service);
                    }

                    if (service.Key != existing.Key)
                    {
                        throw ApiException.Invalid("Address", $"a service's address, port and protocol are its identity ({existing.Key}); delete it and create another");
                    }

                    // Without Destinations in the body, the service keeps its own.
                    return Replace(state, existing, request.Destinations is null
                        ? service with { Name = existing.Name, Destinations = existing.Destinations, Labels = existing.Labels }
                        : service with { Name = existing.Name });
                },
                (state, kernel) => Read(Owned(state, name), kernel),
                () => created ? $"/services/{service.Name}" : null).ConfigureAwait(false);
        });

        routes.MapPatch("/services/{name}", async (HttpContext context, string name) =>
        {
            ServiceRequest request = await body.ReadAsync<ServiceRequest>(context).ConfigureAwait(false);
            return await ChangeAsync(
                context,
                engine,
                (state, _) =>
                {
                    DesiredService existing = Owned(state, name);
                    DesiredService patched = RequestMapper.Patch(existing, request);
                    if (state.Find(patched.Name) is { } other && other != existing)
                    {
                        throw ApiException.Conflict($"a service named '{other.Name}' already exists");
                    }

                    return Replace(state, existing, patched);
                },
                (state, kernel) => Read(Owned(state, request.Name ?? name), kernel)).ConfigureAwait(false);
        });

        routes.MapDelete("/services/{name}", (HttpContext context, string name) => ChangeAsync(context, engine, (state, _) =>
        {
            DesiredService existing = Owned(state, name);
            return new DesiredState(state.Services.Where(s => s != existing).ToList(), [.. state.Retired, existing.Key]);
        }));

        routes.MapGet("/services/{name}/destinations", async (string name) => Results.Json(await engine.ReadAsync((state, kernel) =>
            Read(Owned(state, name), kernel).Destinations).ConfigureAwait(false), ApiJson.Options));

        routes.MapPost("/services/{name}/destinations", async (HttpContext context, string name) =>
        {
            DestinationRequest request = await body.ReadAsync<DestinationRequest>(context).ConfigureAwait(false);
            string id = string.Empty;
            return await ChangeAsync(
                context,
                engine,
                (state, _) =>
                {
                    DesiredService existing = Owned(state, name);
                    DesiredService added = RequestMapper.AddDestination(existing, request);
                    id = ResourceMapper.ToResource(added, added.Destinations[^1], null).Name;
                    return Replace(state, existing, added);
                },
                (state, kernel) => Read(Owned(state, name), kernel).Destinations.Single(d => d.Name == id),
                () => $"/services/{name}/destinations/{Uri.EscapeDataString(id)}").ConfigureAwait(false);
        });

        routes.MapPatch("/services/{name}/destinations/{destination}", async (HttpContext context, string name, string destination) =>
        {
            DestinationRequest request = await body.ReadAsync<DestinationRequest>(context).ConfigureAwait(false);
            IpvsDestination? patched = null;
            return await ChangeAsync(
                context,
                engine,
                (state, _) =>
                {
                    DesiredService existing = Owned(state, name);
                    patched = OwnedDestination(existing, destination);
                    return Replace(state, existing, RequestMapper.PatchDestination(existing, patched, request));
                },
                (state, kernel) => Read(Owned(state, name), kernel).Destinations.Single(d => d.Address == patched!.Address.ToString() && d.Port == patched.Port))
                .ConfigureAwait(false);
        });

        routes.MapDelete("/services/{name}/destinations/{destination}", (HttpContext context, string name, string destination) =>
            ChangeAsync(context, engine, (state, _) =>
            {
                DesiredService existing = Owned(state, name);
                IpvsDestination removed = OwnedDestination(existing, destination);
                return Replace(state, existing, existing.WithDestinations(existing.Destinations.Where(d => d != removed).ToList()));
            }));
    }

    /// <summary>
    /// Runs one change. The response: the dry-run plan; or what <paramref name="respond"/> reads afterwards (201 with
    /// Location when <paramref name="location"/> names one, else 200); or 204 when there is nothing to return.
    /// </summary>
    private static async Task<IResult> ChangeAsync(
        HttpContext context,
        BalancerEngine engine,
        Func<DesiredState, IIpvsKernel, DesiredState> edit,
        Func<DesiredState, IIpvsKernel, object>? respond = null,
        Func<string?>? location = null)
    {
        bool dryRun = DryRun(context);
        EngineChange change;
        try
        {
            change = await engine.ChangeAsync(edit, dryRun).ConfigureAwait(false);
        }
        catch (DesiredStateException e) when (e.Problems.Count > 0)
        {
            throw ApiException.Invalid(new Dictionary<string, string[]> { ["Service"] = [.. e.Problems] });
        }

        if (dryRun)
        {
            return Results.Json(new DryRunResource(true, change.Plan.Select(o => o.ToString()).ToList()), ApiJson.Options);
        }

        if (change.Refused is { Error: { } refused })
        {
            throw Refused(refused);
        }

        if (respond is null)
        {
            return Results.NoContent();
        }

        object resource = await engine.ReadAsync(respond).ConfigureAwait(false);
        if (location?.Invoke() is not { } created)
        {
            return Results.Json(resource, ApiJson.Options);
        }

        context.Response.Headers.Location = created;
        return Results.Json(resource, ApiJson.Options, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>The state with <paramref name="service"/> added; 409 when its name or key is taken, or the kernel has it unowned.</summary>
    internal static DesiredState Create(DesiredState state, IIpvsKernel kernel, DesiredService service)
    {
        if (state.Find(service.Name) is not null)
        {
            throw ApiException.Conflict($"a service named '{service.Name}' already exists");
        }

        if (state.Services.FirstOrDefault(s => s.Key == service.Key) is { } same)
        {
            throw ApiException.Conflict($"{service.Key} is already the service '{same.Name}'");
        }

        if (!state.Retired.Contains(service.Key) && kernel.GetService(service.Key) is not null)
        {
            throw ApiException.Conflict($"{service.Key} exists in the kernel but Fusis does not own it; Fusis never changes services it does not own");
        }

        return new DesiredState([.. state.Services, service], state.Retired.Where(k => k != service.Key).ToList());
    }

    private static DesiredState Replace(DesiredState state, DesiredService existing, DesiredService next) =>
        state with { Services = state.Services.Select(s => s == existing ? next : s).ToList() };

    private static DesiredService Owned(DesiredState state, string name) =>
        state.Find(name) ?? throw ApiException.NotFound($"Fusis owns no service named '{name}'");

    private static IpvsDestination OwnedDestination(DesiredService service, string id) =>
        RequestMapper.FindDestination(service, id) ?? throw ApiException.NotFound($"service '{service.Name}' has no destination '{id}' (a name, or address:port)");

    private static ServiceResource Read(DesiredService service, IIpvsKernel kernel)
    {
        IpvsService? present = kernel.GetService(service.Key);
        return ResourceMapper.ToResource(service, present, present is null ? [] : kernel.GetDestinations(service.Key));
    }

    private static bool DryRun(HttpContext context) =>
        context.Request.Query.TryGetValue("dryRun", out var value) && (value.Count == 0 || string.Equals(value[0], "true", StringComparison.OrdinalIgnoreCase) || value[0] == "1");

    private static ApiException Refused(NetlinkException refused) => refused.Errno switch
    {
        Errno.EEXIST or Errno.ESRCH => ApiException.Conflict($"the kernel refused the change, which was undone: {refused.Message}"),
        Errno.EPERM or Errno.EACCES => new ApiException(StatusCodes.Status503ServiceUnavailable, $"the kernel refused the change, which was undone: {refused.Message}"),
        _ => new ApiException(StatusCodes.Status422UnprocessableEntity, $"the kernel refused the change, which was undone: {refused.Message}"),
    };
}
