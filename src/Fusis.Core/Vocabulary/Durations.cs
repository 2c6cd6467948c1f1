using System.Globalization;

namespace Fusis.Core.Vocabulary;

/// <summary>
/// How a duration is written wherever Fusis reads one (settings, flags, health checks): a number with a unit
/// (<c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>) or a time span (<c>00:00:30</c>). Above zero, finite and at most a
/// given bound, so that no conversion downstream can overflow.
/// </summary>
public static class Durations
{
    /// <summary>The forms, for messages and help.</summary>
    public const string Forms = "a duration such as 500ms, 30s, 5m, 1h or 00:00:30";

    private static readonly (string Suffix, double Seconds)[] Units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];

    public static bool TryParse(string? text, TimeSpan max, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text) || text.Trim() != text)
        {
            return false;
        }

        foreach ((string suffix, double scale) in Units)
        {
            // "ms" before "s" and "m": the first suffix that ends the text is its unit.
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                string number = text[..^suffix.Length];
                if (number.Length > 0 && char.IsAsciiDigit(number[0])
                    && double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount)
                    && amount * scale is > 0 and var seconds && seconds <= max.TotalSeconds)
                {
                    duration = TimeSpan.FromSeconds(seconds);
                    return true;
                }

                return false;
            }
        }

        if (text.Contains(':', StringComparison.Ordinal)
            && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan span) && span > TimeSpan.Zero && span <= max)
        {
            duration = span;
            return true;
        }

        return false;
    }

    /// <summary>The shortest of the forms above that reads back as the same duration, for help and messages.</summary>
    public static string Format(TimeSpan duration) =>
        duration.Ticks % TimeSpan.TicksPerSecond != 0 ? $"{duration.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms"
        : duration.Ticks % TimeSpan.TicksPerHour == 0 ? $"{(long)duration.TotalHours}h"
        : duration.Ticks % TimeSpan.TicksPerMinute == 0 ? $"{(long)duration.TotalMinutes}m"
        : $"{(long)duration.TotalSeconds}s";
}
