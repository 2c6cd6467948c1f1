using Fusis.Core.Api;
using Fusis.Core.Backends;
using Fusis.Core.Operations;
using Fusis.Core.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Fusis.Daemon.Api;

/// <summary>
/// The original Fusis routes, each translated into its Core operation and run on the engine (validated, saved, applied
/// incrementally); ?dryRun=true returns the planned kernel operations instead. The rules are the operations'.
/// </summary>
internal static class ServiceRoutes
{
    public static void MapServiceRoutes(this IEndpointRouteBuilder routes, EngineBackend engine, ApiBody body)
    {
        routes.MapRead("/services", async () => Results.Json(await engine.ReadServicesAsync().ConfigureAwait(false), ApiJson.Options))
            .Describe<List<ServiceResource>>("Every service Fusis owns, with its destinations and kernel counters");
        routes.MapRead("/services/{name}", async (string name) => Results.Json(await engine.ReadServiceAsync(name).ConfigureAwait(false), ApiJson.Options))
            .Describe<ServiceResource>("One service", named: true);
        routes.MapRead("/services/{name}/destinations", async (string name) =>
            Results.Json((await engine.ReadServiceAsync(name).ConfigureAwait(false)).Destinations, ApiJson.Options))
            .Describe<List<DestinationResource>>("A service's destinations", named: true);

        // An explicit return type: a lambda of HttpContext alone would bind as a RequestDelegate, dropping the IResult.
        routes.MapPost("/services", async Task<IResult> (HttpContext context) =>
            await RunAsync(context, engine, new CreateServiceOperation(await body.ReadAsync<ServiceRequest>(context).ConfigureAwait(false))).ConfigureAwait(false))
            .DescribeChange<ServiceRequest, ServiceResource>("Creates a service (201 with Location; an address from the VIP range when none is given)", StatusCodes.Status201Created);
        routes.MapPut("/services/{name}", async (HttpContext context, string name) =>
            await RunAsync(context, engine, new PutServiceOperation(name, await body.ReadAsync<ServiceRequest>(context).ConfigureAwait(false))).ConfigureAwait(false))
            .DescribeChange<ServiceRequest, ServiceResource>("Creates or replaces a service by name", StatusCodes.Status200OK);
        routes.MapPatch("/services/{name}", async (HttpContext context, string name) =>
            await RunAsync(context, engine, new PatchServiceOperation(name, await body.ReadAsync<ServiceRequest>(context).ConfigureAwait(false))).ConfigureAwait(false))
            .DescribeChange<ServiceRequest, ServiceResource>("Changes the fields given of a service (and converges it)", StatusCodes.Status200OK);
        routes.MapDelete("/services/{name}", (HttpContext context, string name) => RunAsync(context, engine, new DeleteServiceOperation(name)))
            .DescribeChange<RouteDocs.NoBody, RouteDocs.NoBody>("Deletes a service (its VIP too, when the balancer holds it)", StatusCodes.Status204NoContent);
        routes.MapPost("/services/{name}/converge", (HttpContext context, string name) => RunAsync(context, engine, new ConvergeServiceOperation(name)))
            .DescribeChange<RouteDocs.NoBody, ServiceResource>("Makes the kernel hold the service as desired, now", StatusCodes.Status200OK);
        routes.MapPost("/snat/rewrite", async Task<IResult> (HttpContext context) => await RunAsync(context, engine, new RewriteSnatOperation()).ConfigureAwait(false))
            .DescribeChange<RouteDocs.NoBody, RouteDocs.NoBody>("Rewrites Fusis's nftables tables from the desired state (deletes them when no service needs SNAT)", StatusCodes.Status204NoContent);

        routes.MapPost("/services/{name}/check", async (HttpContext context, string name) =>
            await RunAsync(context, engine, new SetCheckOperation(name, await body.ReadAsync<CheckRequest>(context).ConfigureAwait(false))).ConfigureAwait(false))
            .DescribeChange<CheckRequest, ServiceResource>("Sets a service's health check", StatusCodes.Status200OK);
        routes.MapDelete("/services/{name}/check", (HttpContext context, string name) => RunAsync(context, engine, new DeleteCheckOperation(name)))
            .DescribeChange<RouteDocs.NoBody, ServiceResource>("Removes a service's health check (its destinations are put back)", StatusCodes.Status200OK);

        routes.MapPost("/services/{name}/destinations", async (HttpContext context, string name) =>
            await RunAsync(context, engine, new AddDestinationOperation(name, await body.ReadAsync<DestinationRequest>(context).ConfigureAwait(false))).ConfigureAwait(false))
            .DescribeChange<DestinationRequest, DestinationResource>("Adds a destination to a service (201 with Location)", StatusCodes.Status201Created);
        routes.MapPatch("/services/{name}/destinations/{destination}", async (HttpContext context, string name, string destination) =>
            await RunAsync(context, engine, new PatchDestinationOperation(name, destination, await body.ReadAsync<DestinationRequest>(context).ConfigureAwait(false))).ConfigureAwait(false))
            .DescribeChange<DestinationRequest, DestinationResource>("Changes the fields given of a destination (by name, or address:port)", StatusCodes.Status200OK);
        routes.MapPost("/services/{name}/destinations/{destination}/drain", (HttpContext context, string name, string destination) =>
            RunAsync(context, engine, new DrainDestinationOperation(name, destination, Drain: true)))
            .DescribeChange<RouteDocs.NoBody, DestinationResource>("Drains a destination: weight 0 in the kernel (established connections go on), its weight kept", StatusCodes.Status200OK);
        routes.MapPost("/services/{name}/destinations/{destination}/undrain", (HttpContext context, string name, string destination) =>
            RunAsync(context, engine, new DrainDestinationOperation(name, destination, Drain: false)))
            .DescribeChange<RouteDocs.NoBody, DestinationResource>("Puts a drained destination back at its weight", StatusCodes.Status200OK);
        routes.MapDelete("/services/{name}/destinations/{destination}", (HttpContext context, string name, string destination) =>
            RunAsync(context, engine, new DeleteDestinationOperation(name, destination)))
            .DescribeChange<RouteDocs.NoBody, RouteDocs.NoBody>("Deletes a destination", StatusCodes.Status204NoContent);

        routes.MapPut("/configuration", async Task<IResult> (HttpContext context) =>
        {
            DesiredState document;
            try
            {
                document = FileDesiredStateStore.FromJson(await body.ReadBytesAsync(context).ConfigureAwait(false));
            }
            catch (FormatException e)
            {
                throw new ApiException($"the body is not a Fusis desired-state document: {e.Message}", e);
            }

            return await RunAsync(context, engine, new ImportConfigurationOperation(document.Services, Flag(context, "adopt"))).ConfigureAwait(false);
        }).DescribeChange<object, RouteDocs.NoBody>("Makes the owned services exactly the document's (a Fusis desired-state document; ?adopt=true takes over matching kernel services)", StatusCodes.Status204NoContent);
    }

    /// <summary>
    /// Runs one operation. The response: the dry-run plan; or the service or destination it is about (201 with Location
    /// when it created it, else 200); or 204 when there is nothing to return.
    /// </summary>
    private static async Task<IResult> RunAsync(HttpContext context, EngineBackend engine, FusisOperation operation)
    {
        bool dryRun = Flag(context, "dryRun");
        ChangeOutcome outcome = await engine.ChangeAsync(operation, dryRun, context.RequestAborted).ConfigureAwait(false);
        if (dryRun)
        {
            return Results.Json(new DryRunResource(true, outcome.Plan), ApiJson.Options);
        }

        object? resource = (object?)outcome.Destination ?? outcome.Service;
        if (resource is null)
        {
            return Results.NoContent();
        }

        if (!outcome.Created)
        {
            return Results.Json(resource, ApiJson.Options);
        }

        context.Response.Headers.Location = outcome.Destination is { } destination
            ? $"/services/{Uri.EscapeDataString(destination.ServiceId)}/destinations/{Uri.EscapeDataString(destination.Name)}"
            : $"/services/{Uri.EscapeDataString(outcome.Service!.Name)}";
        return Results.Json(resource, ApiJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static bool Flag(HttpContext context, string name) =>
        context.Request.Query.TryGetValue(name, out var value) && (value.Count == 0 || string.Equals(value[0], "true", StringComparison.OrdinalIgnoreCase) || value[0] == "1");
}
