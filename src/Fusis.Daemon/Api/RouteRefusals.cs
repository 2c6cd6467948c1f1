using Fusis.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Fusis.Daemon.Api;

/// <summary>
/// A request no route takes, answered in the API's error shape before the token check (which routes exist is
/// documented; only what they do is guarded): 404 for an unknown path; 405 with Allow for a known path and another
/// method, OPTIONS among them.
/// </summary>
internal static class RouteRefusals
{
    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        // Every route of the API declares its methods; routing's own 405 endpoint declares none.
        Endpoint? endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<IHttpMethodMetadata>() is not null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        if (endpoint?.RequestDelegate is { } rejection)
        {
            await rejection(context).ConfigureAwait(false); // sets 405 and Allow
        }

        string method = context.Request.Method, path = context.Request.Path;
        if (context.Response.StatusCode == StatusCodes.Status405MethodNotAllowed)
        {
            await ApiErrorMiddleware.WriteAsync(context, StatusCodes.Status405MethodNotAllowed,
                $"{path} does not take {method}; it takes {context.Response.Headers.Allow}", FusisErrorCode.UnknownRoute, null).ConfigureAwait(false);
            return;
        }

        await ApiErrorMiddleware.WriteAsync(context, StatusCodes.Status404NotFound, $"no route {method} {path}", FusisErrorCode.UnknownRoute, null).ConfigureAwait(false);
    }
}
