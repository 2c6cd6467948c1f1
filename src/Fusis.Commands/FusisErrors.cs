using System.Management.Automation;
using Fusis.Core;

namespace Fusis.Commands;

/// <summary>Fusis's refusals as ErrorRecords: the code is the error id and decides the category; the exception is kept whole.</summary>
internal static class FusisErrors
{
    // The API's field names, as this module's parameters are named.
    private static readonly Dictionary<string, string> Parameters = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Mode"] = "ForwardingMethod",
        ["Persistent"] = "PersistenceTimeout",
        ["SchedulerFlags"] = "SchedulerFlag",
        ["Host"] = "Address",
    };

    public static ErrorRecord ToErrorRecord(FusisException exception, object? target)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var record = new ErrorRecord(exception, exception.Code.ToString(), Category(exception.Code), target);
        if (exception.Fields.Count > 0)
        {
            record.ErrorDetails = new ErrorDetails(
                $"{string.Join("; ", exception.Fields.Select(f => $"-{Parameters.GetValueOrDefault(f.Key, f.Key)}: {string.Join(", ", f.Value)}"))}; nothing was changed");
        }

        return record;
    }

    public static ErrorCategory Category(FusisErrorCode code) => code switch
    {
        FusisErrorCode.InvalidArgument => ErrorCategory.InvalidArgument,
        FusisErrorCode.ServiceNotFound or FusisErrorCode.DestinationNotFound or FusisErrorCode.UnknownRoute => ErrorCategory.ObjectNotFound,
        FusisErrorCode.ServiceExists or FusisErrorCode.DestinationExists => ErrorCategory.ResourceExists,
        FusisErrorCode.ServiceNotManaged or FusisErrorCode.PermissionDenied => ErrorCategory.PermissionDenied,
        FusisErrorCode.DesiredStateInvalid => ErrorCategory.InvalidData,
        FusisErrorCode.IpvsUnavailable or FusisErrorCode.NatUnavailable or FusisErrorCode.DesiredStateUnavailable => ErrorCategory.ResourceUnavailable,
        FusisErrorCode.BalancerUnreachable => ErrorCategory.ConnectionError,
        _ => ErrorCategory.NotSpecified,
    };
}
