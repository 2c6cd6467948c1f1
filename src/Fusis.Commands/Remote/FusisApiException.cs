using System.Management.Automation;
using System.Net;

namespace Fusis.Commands.Remote;

/// <summary>A balancer's API refused a request; the status code decides the ErrorRecord's id and category.</summary>
public sealed class FusisApiException : Exception
{
    public FusisApiException()
    {
    }

    public FusisApiException(string message)
        : base(message)
    {
    }

    public FusisApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public FusisApiException(HttpStatusCode statusCode, string message)
        : base(message)
    {
        StatusCode = statusCode;
    }

    /// <summary>The balancer's answer; 0 when it could not be reached.</summary>
    public HttpStatusCode StatusCode { get; }

    public ErrorRecord ToErrorRecord(object? target, bool destination)
    {
        (string id, ErrorCategory category) = StatusCode switch
        {
            HttpStatusCode.NotFound => (destination ? ErrorIds.DestinationNotFound : ErrorIds.ServiceNotFound, ErrorCategory.ObjectNotFound),
            HttpStatusCode.Conflict => (destination ? ErrorIds.DestinationExists : ErrorIds.ServiceExists, ErrorCategory.ResourceExists),
            HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity or HttpStatusCode.RequestEntityTooLarge => (ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => (ErrorIds.PermissionDenied, ErrorCategory.PermissionDenied),
            HttpStatusCode.ServiceUnavailable => (ErrorIds.IpvsUnavailable, ErrorCategory.ResourceUnavailable),
            0 => (ErrorIds.BalancerUnreachable, ErrorCategory.ConnectionError),
            _ => (ErrorIds.BalancerError, ErrorCategory.NotSpecified),
        };
        return new ErrorRecord(this, id, category, target);
    }
}
