namespace Fusis.Core.Operations;

/// <summary>What an operation's response is about.</summary>
public enum OperationResult
{
    /// <summary>Nothing (204).</summary>
    None,

    /// <summary>The service the operation named or created.</summary>
    Service,

    /// <summary>The destination the operation added or changed.</summary>
    Destination,
}
