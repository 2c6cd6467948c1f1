using Microsoft.AspNetCore.Http;

namespace Fusis.Daemon.Api;

/// <summary>A request the API refuses, with the status code and the message the client gets (and, for 422, a field map).</summary>
public sealed class ApiException : Exception
{
    public ApiException()
    {
    }

    public ApiException(string message)
        : this(StatusCodes.Status400BadRequest, message)
    {
    }

    public ApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = StatusCodes.Status400BadRequest;
    }

    public ApiException(int statusCode, string message, IReadOnlyDictionary<string, string[]>? errors = null)
        : base(message)
    {
        StatusCode = statusCode;
        Errors = errors;
    }

    public int StatusCode { get; } = StatusCodes.Status400BadRequest;

    public IReadOnlyDictionary<string, string[]>? Errors { get; }

    public static ApiException NotFound(string message) => new(StatusCodes.Status404NotFound, message);

    public static ApiException Conflict(string message) => new(StatusCodes.Status409Conflict, message);

    public static ApiException Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(StatusCodes.Status422UnprocessableEntity, "the request is not valid; nothing was changed", errors);

    public static ApiException Invalid(string field, string problem) => Invalid(new Dictionary<string, string[]> { [field] = [problem] });
}
