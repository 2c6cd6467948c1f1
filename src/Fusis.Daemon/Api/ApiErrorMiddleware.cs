using System.Text.Json;
using Fusis.Core;
using Fusis.Core.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fusis.Daemon.Api;

/// <summary>
/// Turns refusals into the API's error body (<see cref="ErrorResource"/>) with the status their code calls for; bad
/// input is never a 500. Anything unexpected is logged and is a 500 without details.
/// </summary>
internal sealed partial class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (FusisException e)
        {
            if (Status(e.Code) == StatusCodes.Status503ServiceUnavailable)
            {
                LogUnavailable(logger, e.Message);
            }

            await WriteAsync(context, Status(e.Code), e.Message, e.Code, e.Fields.Count == 0 ? null : e.Fields).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            if (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                CloseAfterResponse(context);
            }

            await WriteAsync(context, e.StatusCode, e.Message, FusisErrorCode.InvalidArgument, null).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            CloseAfterResponse(context);
            await WriteAsync(context, e.StatusCode, e.Message, FusisErrorCode.InvalidArgument, null).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailure(logger, e, context.Request.Method, context.Request.Path);
            await WriteAsync(context, StatusCodes.Status500InternalServerError, "internal error; see the balancer's log", FusisErrorCode.BalancerError, null).ConfigureAwait(false);
        }
    }

    /// <summary>The status code of each kind of refusal.</summary>
    public static int Status(FusisErrorCode code) => code switch
    {
        FusisErrorCode.InvalidArgument or FusisErrorCode.KernelError => StatusCodes.Status422UnprocessableEntity,
        FusisErrorCode.ServiceNotFound or FusisErrorCode.DestinationNotFound or FusisErrorCode.UnknownRoute => StatusCodes.Status404NotFound,
        FusisErrorCode.ServiceExists or FusisErrorCode.DestinationExists or FusisErrorCode.ServiceNotManaged => StatusCodes.Status409Conflict,
        FusisErrorCode.IpvsUnavailable or FusisErrorCode.NatUnavailable or FusisErrorCode.DesiredStateUnavailable or FusisErrorCode.PermissionDenied or FusisErrorCode.DesiredStateInvalid => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static Task WriteAsync(HttpContext context, int status, string message, FusisErrorCode code, IReadOnlyDictionary<string, string[]>? errors)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new ErrorResource(message, code.ToString(), errors), ErrorJson), context.RequestAborted);
    }

    // The rest of the body was not read, so the connection cannot carry another request: say so, or the client's
    // next request on it meets a closed socket.
    private static void CloseAfterResponse(HttpContext context)
    {
        if (!context.Response.HasStarted)
        {
            context.Response.Headers.Connection = "close";
        }
    }

    // The error body's fields are lower case, as they always were: error, code, errors.
    private static readonly JsonSerializerOptions ErrorJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "unavailable: {Problem}")]
    private static partial void LogUnavailable(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogFailure(ILogger logger, Exception exception, string method, PathString path);
}
