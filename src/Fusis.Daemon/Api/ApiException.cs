using Microsoft.AspNetCore.Http;

namespace Fusis.Daemon.Api;

/// <summary>A request the HTTP layer refuses before any rule runs (malformed JSON, too large): 400 or 413, always bad input.</summary>
public sealed class ApiException : Exception
{
    public ApiException()
    {
    }

    public ApiException(string message)
        : base(message)
    {
    }

    public ApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ApiException(int statusCode, string message)
        : base(message)
    {
        StatusCode = statusCode;
    }

    public int StatusCode { get; } = StatusCodes.Status400BadRequest;
}
