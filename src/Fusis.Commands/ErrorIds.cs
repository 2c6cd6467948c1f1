namespace Fusis.Commands;

/// <summary>
/// The error ids only the module's file handling writes; every other id is a <see cref="Core.FusisErrorCode"/> name, shared
/// with the API and DSC. The first half of a FullyQualifiedErrorId; never renamed.
/// </summary>
public static class ErrorIds
{
    /// <summary>An imported configuration cannot be read (not the format given, or invalid values); nothing was changed.</summary>
    public const string ConfigurationInvalid = nameof(ConfigurationInvalid);

    /// <summary>Export refused to replace a file (-NoClobber).</summary>
    public const string FileExists = nameof(FileExists);

    public const string FileWriteFailed = nameof(FileWriteFailed);

    public const string FileReadFailed = nameof(FileReadFailed);
}
