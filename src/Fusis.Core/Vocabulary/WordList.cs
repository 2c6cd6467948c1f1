namespace Fusis.Core.Vocabulary;

/// <summary>
/// The words for one kind of value: one canonical word per value (what Fusis writes everywhere) and the aliases it
/// also reads (older spellings, the original Fusis's, ipvsadm's). Matching ignores case.
/// </summary>
public sealed class WordList<T>
    where T : struct
{
    private readonly (T Value, string Word, string[] Aliases)[] _entries;

    internal WordList(params (T Value, string Word, string[] Aliases)[] entries) => _entries = entries;

    /// <summary>The canonical words, in the order they are listed to users.</summary>
    public IReadOnlyList<string> Words => _entries.Select(e => e.Word).ToList();

    /// <summary>The canonical words as a phrase: "nat, route or tunnel".</summary>
    public string Choices => Words.Count == 1 ? Words[0] : $"{string.Join(", ", Words.Take(Words.Count - 1))} or {Words[^1]}";

    /// <summary>The canonical word of <paramref name="value"/>.</summary>
    public string Word(T value)
    {
        foreach ((T candidate, string word, _) in _entries)
        {
            if (EqualityComparer<T>.Default.Equals(candidate, value))
            {
                return word;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(value), value, $"no word for {value}");
    }

    /// <summary>
    /// <paramref name="word"/> in its canonical spelling when it names a value (an alias such as 'Masquerade' gives
    /// 'nat'); otherwise as given, for the rules to refuse. What drift comparisons use.
    /// </summary>
    public string? Canonical(string? word) => Parse(word) is { } value ? Word(value) : word;

    /// <summary>The value a word or an alias names; null when it names none.</summary>
    public T? Parse(string? word)
    {
        if (word is null)
        {
            return null;
        }

        foreach ((T value, string canonical, string[] aliases) in _entries)
        {
            if (string.Equals(word, canonical, StringComparison.OrdinalIgnoreCase)
                || aliases.Any(a => string.Equals(word, a, StringComparison.OrdinalIgnoreCase)))
            {
                return value;
            }
        }

        return null;
    }
}
