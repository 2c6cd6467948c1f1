using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Fusis.Daemon.Api;

/// <summary>Read routes answer HEAD as well as GET (Kestrel sends a HEAD response's headers without its body).</summary>
internal static class ReadRoute
{
    private static readonly string[] Methods = ["GET", "HEAD"];

    public static RouteHandlerBuilder MapRead(this IEndpointRouteBuilder routes, string pattern, Delegate handler) =>
        routes.MapMethods(pattern, Methods, handler);
}
