namespace Fusis.Daemon.Settings;

/// <summary>"Did you mean ...?" for a key, variable or flag that is almost a known one.</summary>
internal static class Suggestion
{
    /// <summary>" (did you mean X?)" when one known name is within two edits of <paramref name="given"/> (ignoring case and separators), else empty.</summary>
    public static string DidYouMean(string given, IEnumerable<string> known)
    {
        string plain = Plain(given);
        string? closest = known
            .Select(name => (Name: name, Distance: Distance(plain, Plain(name))))
            .Where(c => c.Distance <= 2)
            .OrderBy(c => c.Distance)
            .Select(c => c.Name)
            .FirstOrDefault();
        return closest is null ? string.Empty : $" (did you mean {closest}?)";
    }

    private static string Plain(string name) => new(name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    // Levenshtein distance, two rows.
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
