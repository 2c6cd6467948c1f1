using Fusis.Core.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fusis.Daemon.Api;

/// <summary>
/// How a route describes itself in /openapi.json: a summary, what it answers on success, and the refusals it can give
/// (every refusal's body is <see cref="ErrorResource"/>). Every route mapped calls one of these; a test holds the
/// document to the routes.
/// </summary>
internal static class RouteDocs
{
    /// <summary>A read: its body on 200; refused without the token beyond loopback (401) or when it names nothing (404).</summary>
    public static RouteHandlerBuilder Describe<TResponse>(this RouteHandlerBuilder route, string summary, bool named = false)
    {
        route.WithSummary(summary).Produces<TResponse>(StatusCodes.Status200OK).Produces<ErrorResource>(StatusCodes.Status401Unauthorized);
        return named ? route.Produces<ErrorResource>(StatusCodes.Status404NotFound) : route;
    }

    /// <summary>A read whose body is not JSON (HTML, Prometheus text, an event stream).</summary>
    public static RouteHandlerBuilder Describe(this RouteHandlerBuilder route, string summary, int status, string contentType = "text/plain") =>
        route.WithSummary(summary).Produces(status, contentType: contentType).Produces<ErrorResource>(StatusCodes.Status401Unauthorized);

    /// <summary>
    /// A change: its request body (if any), what it answers (201 when it creates, 200 with the resource, 204 with
    /// nothing; the plan on ?dryRun=true, in its description), and its refusals: 400 malformed, 401 no token, 404 not found, 409 conflict,
    /// 413 too large, 422 invalid (by field), 503 unavailable (etcd, nftables).
    /// </summary>
    public static RouteHandlerBuilder DescribeChange<TRequest, TResponse>(this RouteHandlerBuilder route, string summary, int success)
        where TRequest : notnull
    {
        if (typeof(TRequest) != typeof(NoBody))
        {
            route.Accepts<TRequest>("application/json");
        }

        // One body a status: the dry run's plan (200) is said in words, not as a second 200.
        route.WithSummary(summary).WithDescription("?dryRun=true answers 200 with the planned kernel operations (DryRunResource) and changes nothing.");
        if (typeof(TResponse) == typeof(NoBody))
        {
            route.Produces(success);
        }
        else
        {
            route.Produces<TResponse>(success);
        }

        foreach (int status in new[] { 400, 401, 404, 409, 413, 422, 503 })
        {
            route.Produces<ErrorResource>(status);
        }

        return route;
    }

    /// <summary>The type parameter for a change without a request body, or without a response body.</summary>
    public sealed class NoBody
    {
        private NoBody()
        {
        }
    }
}
