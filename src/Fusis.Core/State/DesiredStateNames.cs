using System.Text.RegularExpressions;

namespace Fusis.Core.State;

/// <summary>What a service or destination name may be: 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit.</summary>
public static partial class DesiredStateNames
{
    /// <summary>The rule, as error messages state it.</summary>
    public const string Rule = "1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit";

    public static bool IsValid(string name) => ValidName().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")]
    private static partial Regex ValidName();
}
