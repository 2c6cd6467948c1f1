using Fusis.Daemon.Balancer;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Fusis.Core.Vocabulary;

namespace Fusis.Daemon.Settings;

/// <summary>
/// One setting of <c>fusis balancer</c>, written once: its key in the configuration file, its FUSIS_* variable, its
/// flag, its help, and how its text is read. A value that cannot be read is refused naming where it came from and
/// what is accepted.
/// </summary>
internal sealed record Setting
{
    private readonly Action<BalancerOptions, string> _apply;

    private Setting(string key, string valueName, string description, string accepted, JsonValueKind json, Action<BalancerOptions, string> apply)
    {
        Key = key;
        ValueName = valueName;
        Description = description;
        Accepted = accepted;
        Json = json;
        _apply = apply;
        Flag = "--" + Words(key, '-').ToLowerInvariant();
        Variable = "FUSIS_" + Words(key, '_').ToUpperInvariant();
    }

    /// <summary>The key in the configuration file (and the property of <see cref="BalancerOptions"/>).</summary>
    public string Key { get; }

    /// <summary>The command line's spelling: ReconcileInterval is --reconcile-interval.</summary>
    public string Flag { get; init; }

    /// <summary>The environment's spelling: ReconcileInterval is FUSIS_RECONCILE_INTERVAL.</summary>
    public string Variable { get; init; }

    /// <summary>What the value looks like, in help (ADDRESS:PORT, DURATION, ...).</summary>
    public string ValueName { get; }

    public string Description { get; }

    /// <summary>What is accepted, for help and for the message that refuses a value.</summary>
    public string Accepted { get; }

    /// <summary>The JSON kind the configuration file writes the value as (a string, a number, or true/false).</summary>
    public JsonValueKind Json { get; }

    /// <summary>What help says the default is, when the value <see cref="BalancerOptions"/> starts with does not say it.</summary>
    public string? DefaultText { get; init; }

    /// <summary>The default as help shows it.</summary>
    public string Default(BalancerOptions defaults) => DefaultText ?? typeof(BalancerOptions).GetProperty(Key)!.GetValue(defaults) switch
        {
            null or "" => "none",
            TimeSpan span => Durations.Format(span),
            bool flag => flag ? "true" : "false",
            IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
            var other => other.ToString() ?? "none",
        };

    /// <summary>Sets the value read from <paramref name="where"/> (for example "--listen on the command line").</summary>
    /// <exception cref="ConfigurationException">The text is not one of the accepted values.</exception>
    public void Apply(BalancerOptions options, string text, string where)
    {
        try
        {
            _apply(options, text);
        }
        catch (FormatException)
        {
            throw new ConfigurationException($"{Key} ({where}): '{text}' is not {Accepted}");
        }
    }

    public static Setting Text(string key, string valueName, string description, Action<BalancerOptions, string> apply, string? accepted = null) =>
        new(key, valueName, description, accepted ?? "a " + valueName.ToLowerInvariant(), JsonValueKind.String, apply);

    public static Setting Duration(string key, string description, TimeSpan min, TimeSpan max, Action<BalancerOptions, TimeSpan> apply) =>
        new(key, "DURATION", description, $"{Durations.Forms}, from {Durations.Format(min)} to {Durations.Format(max)}", JsonValueKind.String,
            (options, text) => apply(options, Durations.TryParse(text, max, out TimeSpan value) && value >= min ? value : throw new FormatException()));

    public static Setting Boolean(string key, string description, Action<BalancerOptions, bool> apply) =>
        new(key, "true|false", description, "true or false", JsonValueKind.True,
            (options, text) => apply(options, text switch
            {
                "true" => true,
                "false" => false,
                _ => throw new FormatException(),
            }));

    public static Setting Number(string key, string description, long min, long max, Action<BalancerOptions, long> apply) =>
        new(key, "N", description, $"a whole number from {min} to {max}", JsonValueKind.Number,
            (options, text) => apply(options, long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value >= min && value <= max
                ? value
                : throw new FormatException()));

    public static Setting Choice<TEnum>(string key, string description, Action<BalancerOptions, TEnum> apply)
        where TEnum : struct, Enum
    {
        string[] names = Enum.GetNames<TEnum>();
        return new(key, string.Join('|', names), description, $"one of {string.Join(", ", names)}", JsonValueKind.String,
            (options, text) => apply(options, names.FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase)) is { } name
                ? Enum.Parse<TEnum>(name)
                : throw new FormatException()));
    }

    // ReconcileInterval -> Reconcile{separator}Interval.
    private static string Words(string key, char separator)
    {
        var text = new StringBuilder();
        foreach (char c in key)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append(separator);
            }

            text.Append(c);
        }

        return text.ToString();
    }
}
