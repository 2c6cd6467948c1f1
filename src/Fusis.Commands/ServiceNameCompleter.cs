using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Fusis.Core.State;

namespace Fusis.Commands;

/// <summary>Completes the names of the services Fusis owns, from the desired state (no kernel access, no root needed).</summary>
public sealed class ServiceNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string path = Environment.GetEnvironmentVariable(FusisCmdletBase.StatePathVariable) is { Length: > 0 } p ? p : DesiredStateStore.DefaultPath;
        DesiredState state;
        try
        {
            state = new DesiredStateStore(path).Load();
        }
        catch (DesiredStateException)
        {
            yield break; // completion never throws; the command itself reports the problem
        }

        var pattern = new WildcardPattern((wordToComplete ?? string.Empty).Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        foreach (DesiredService service in state.Services.Where(s => pattern.IsMatch(s.Name)).OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase))
        {
            string text = service.Name.Any(c => c is ' ' or '\'' or '$' or '`') ? $"'{service.Name.Replace("'", "''", StringComparison.Ordinal)}'" : service.Name;
            yield return new CompletionResult(text, service.Name, CompletionResultType.ParameterValue, $"{service.Name}: {service.Key}");
        }
    }
}
