using Fusis.Core.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fusis.Daemon.Api;

/// <summary>The whole HTTP API: error handling, the token check on writes, the service routes, /health and /metrics.</summary>
internal static class BalancerApi
{
    public static void UseBalancerApi(this WebApplication app, BalancerEngine engine, byte[]? tokenHash, long maxBodyBytes)
    {
        app.UseMiddleware<ApiErrorMiddleware>();
        app.Use(next => new BearerTokenMiddleware(next, tokenHash).InvokeAsync);
        app.MapServiceRoutes(engine, new ApiBody(maxBodyBytes));

        app.MapGet("/health", async () => Results.Json(await engine.ReadAsync((state, kernel) =>
        {
            var owned = state.Services.Select(s => s.Key).ToHashSet();
            return new HealthResource(
                "ok",
                kernel.GetInfo().Version.ToString(),
                state.Services.Count,
                kernel.GetServices().Where(s => !owned.Contains(s.Key)).Select(s => s.Key.ToString()).ToList(),
                engine.Counters.Reconciles);
        }).ConfigureAwait(false), ApiJson.Options));

        app.MapGet("/metrics", async () => Results.Text(
            await engine.ReadAsync((state, kernel) => MetricsWriter.Write(state, kernel, engine.Counters)).ConfigureAwait(false),
            MetricsWriter.ContentType));

        // Unknown routes answer in the API's error shape too.
        app.MapFallback((HttpContext context) => ApiErrorMiddleware.WriteAsync(context, StatusCodes.Status404NotFound, $"no route {context.Request.Method} {context.Request.Path}", null));
    }
}
