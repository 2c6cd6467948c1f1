namespace Fusis.Core;

/// <summary>
/// A refusal from Fusis's rules, its engine or a balancer: a <see cref="FusisErrorCode"/> that classifies it and,
/// for bad input, every problem by field (the API's field names). Nothing was changed when one is thrown.
/// </summary>
public sealed class FusisException : Exception
{
    private static readonly IReadOnlyDictionary<string, string[]> NoFields = new Dictionary<string, string[]>();

    public FusisException()
        : this(FusisErrorCode.BalancerError, "Fusis failed")
    {
    }

    public FusisException(string message)
        : this(FusisErrorCode.BalancerError, message)
    {
    }

    public FusisException(string message, Exception innerException)
        : this(FusisErrorCode.BalancerError, message, null, innerException)
    {
    }

    public FusisException(FusisErrorCode code, string message, IReadOnlyDictionary<string, string[]>? fields = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        Fields = fields ?? NoFields;
    }

    public FusisErrorCode Code { get; }

    /// <summary>For <see cref="FusisErrorCode.InvalidArgument"/>: the problems of each field at fault.</summary>
    public IReadOnlyDictionary<string, string[]> Fields { get; }


    /// <summary>Bad input: every problem in the message, and by field in <see cref="Fields"/>.</summary>
    public static FusisException Invalid(IReadOnlyDictionary<string, string[]> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return new(FusisErrorCode.InvalidArgument, $"{string.Join("; ", fields.SelectMany(f => f.Value))}; nothing was changed", fields);
    }

    public static FusisException Invalid(string field, string problem) => Invalid(new Dictionary<string, string[]> { [field] = [problem] });

    public static FusisException ServiceNotFound(string name) =>
        new(FusisErrorCode.ServiceNotFound, $"Fusis owns no service named '{name}'");
}
