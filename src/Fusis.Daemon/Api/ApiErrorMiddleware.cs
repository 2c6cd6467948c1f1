using Fusis.Core.Api;
using System.Text.Json;
using Fusis.Netlink;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fusis.Daemon.Api;

/// <summary>
/// Turns refusals into the API's error body ({"error": ..., "errors": {field: [...]}}) with their status code;
/// bad input is never a 500. An unusable kernel is 503; anything else is logged and is a 500 without details.
/// </summary>
internal sealed partial class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            await WriteAsync(context, e.StatusCode, e.Message, e.Errors).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            await WriteAsync(context, e.StatusCode, e.Message, null).ConfigureAwait(false);
        }
        catch (NetlinkException e)
        {
            LogKernelUnavailable(logger, e.Message);
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, $"the kernel's IPVS table cannot be used: {e.Message}", null).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailure(logger, e, context.Request.Method, context.Request.Path);
            await WriteAsync(context, StatusCodes.Status500InternalServerError, "internal error; see the balancer's log", null).ConfigureAwait(false);
        }
    }

    public static Task WriteAsync(HttpContext context, int status, string message, IReadOnlyDictionary<string, string[]>? errors)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        object body = errors is null ? new { error = message } : new { error = message, errors };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "kernel unavailable: {Problem}")]
    private static partial void LogKernelUnavailable(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogFailure(ILogger logger, Exception exception, string method, PathString path);
}
