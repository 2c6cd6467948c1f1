using System.Globalization;
using System.Text.Json;
using Fusis.Core.State;
using Fusis.Core.Vocabulary;

namespace Fusis.Core.Api;

/// <summary>A check request into a <see cref="HealthCheck"/>, every problem by field (422).</summary>
public static class CheckMapper
{
    public static HealthCheck ToCheck(CheckRequest request)
    {
        var errors = new FieldErrors();
        var check = new HealthCheck();
        switch (request.Type?.ToLowerInvariant())
        {
            case null or "tcp":
                break;
            case "http":
                check = check with { Type = HealthCheckType.Http };
                break;
            default:
                errors.Add("Type", $"'{request.Type}' is not tcp or http");
                break;
        }

        if ((request.Path ?? request.HttpPath) is { } path)
        {
            check = check with { Path = path };
        }

        if (request.ExpectedStatus is { } expected)
        {
            string[] bounds = expected.Split('-', StringSplitOptions.TrimEntries);
            if (bounds.Length is 1 or 2 && int.TryParse(bounds[0], CultureInfo.InvariantCulture, out int low)
                && int.TryParse(bounds[^1], CultureInfo.InvariantCulture, out int high))
            {
                check = check with { StatusMin = low, StatusMax = high };
            }
            else
            {
                errors.Add("ExpectedStatus", $"'{expected}' is not a status or a range such as 200-399");
            }
        }

        if (request.Port is { } port)
        {
            if (port is < 1 or > 65535)
            {
                errors.Add("Port", "a port is 1 to 65535");
            }
            else
            {
                check = check with { Port = (ushort)port };
            }
        }

        if (Duration(request.Interval, "Interval", errors) is { } interval)
        {
            check = check with { Interval = interval };
        }

        if (Duration(request.Timeout, "Timeout", errors) is { } timeout)
        {
            check = check with { Timeout = timeout };
        }

        check = check with { Rise = request.Rise ?? check.Rise, Fall = request.Fall ?? check.Fall };
        switch (request.Action?.ToLowerInvariant())
        {
            case null or "remove":
                break;
            case "weight0":
                check = check with { Action = HealthCheckAction.Weight0 };
                break;
            default:
                errors.Add("Action", $"'{request.Action}' is not remove or weight0");
                break;
        }

        foreach (string problem in check.Problems())
        {
            errors.Add("Check", problem);
        }

        errors.ThrowIfAny();
        return check;
    }

    private static TimeSpan? Duration(JsonElement? value, string field, FieldErrors errors)
    {
        // 0 is how the original's Go client sends a duration its caller left out.
        if (value is not { } element || element.ValueKind == JsonValueKind.Null
            || (element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out double zero) && zero == 0))
        {
            return null;
        }

        // A number is seconds, as the original Fusis read it (its own test posts {"interval":5,"timeout":5}).
        if (element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out double given)
            && given > 0 && given <= HealthCheck.MaxInterval.TotalSeconds)
        {
            return TimeSpan.FromSeconds(given);
        }

        if (element.ValueKind == JsonValueKind.String && Durations.TryParse(element.GetString(), HealthCheck.MaxInterval, out TimeSpan parsed))
        {
            return parsed;
        }

        errors.Add(field, $"a duration (above 0, at most 24 h) is a number of seconds (as the original Fusis read it) or {Durations.Forms}");
        return null;
    }
}
