using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Fusis.Commands;

/// <summary>Completes the schedulers the kernel ships (any other ip_vs_* module name is accepted too).</summary>
public sealed class SchedulerCompleter : IArgumentCompleter
{
    private static readonly (string Name, string Description)[] Schedulers =
    [
        ("rr", "round robin"), ("wrr", "weighted round robin"), ("lc", "least connections"), ("wlc", "weighted least connections (default)"),
        ("lblc", "locality-based least connections"), ("lblcr", "locality-based least connections with replication"),
        ("dh", "destination hashing"), ("sh", "source hashing"), ("sed", "shortest expected delay"), ("nq", "never queue"),
        ("fo", "weighted failover"), ("ovf", "weighted overflow"), ("mh", "maglev hashing"),
    ];

    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Schedulers
            .Where(s => s.Name.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
            .Select(s => new CompletionResult(s.Name, s.Name, CompletionResultType.ParameterValue, s.Description));
}
