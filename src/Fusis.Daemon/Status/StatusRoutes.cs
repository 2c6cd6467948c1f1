using System.Globalization;
using Fusis.Daemon.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Fusis.Daemon.Status;

/// <summary>
/// The operator's window: GET / is the status page (one self-contained HTML file embedded in this assembly, no data in
/// it, so it needs no token), and GET /status is what it shows, a page of services at a time.
/// </summary>
internal static class StatusRoutes
{
    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using Stream stream = typeof(StatusRoutes).Assembly.GetManifestResourceStream("Fusis.Daemon.Status.status.html")
            ?? throw new InvalidOperationException("the status page is not embedded in the assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static void MapStatusRoutes(this IEndpointRouteBuilder routes, StatusReader reader)
    {
        routes.MapRead("/", () => Results.Bytes(Page.Value, "text/html; charset=utf-8"))
            .WithMetadata(PublicRoute.Instance)
            .Describe("The status page (HTML; it reads /status and /events)", StatusCodes.Status200OK);
        routes.MapRead("/status", async (HttpContext context) =>
        {
            IQueryCollection query = context.Request.Query;
            int page = Number(query, "page", 1, 1, int.MaxValue);
            int size = Number(query, "size", StatusReader.DefaultSize, 1, StatusReader.MaxSize);
            bool problems = query["problems"].FirstOrDefault() is { } flag && (flag == "1" || string.Equals(flag, "true", StringComparison.OrdinalIgnoreCase));
            StatusResource status = await reader.ReadAsync(query["filter"].FirstOrDefault(), problems, page, size).ConfigureAwait(false);
            return Results.Json(status, ApiJson.Options);
        }).Describe<StatusResource>("This balancer, a page of its services (?filter=, ?problems=true, ?page=, ?size=) and the recent events");
    }

    private static int Number(IQueryCollection query, string name, int fallback, int min, int max)
    {
        string? text = query[name].FirstOrDefault();
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max
            ? value
            : throw new ApiException($"{name} '{text}' is not a whole number from {min} to {max}");
    }
}
