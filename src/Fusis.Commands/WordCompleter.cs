using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Fusis.Core.Vocabulary;

namespace Fusis.Commands;

/// <summary>Completes a parameter with Core's words for it (the values are checked by Core's rules, not by the cmdlet).</summary>
public sealed class WordCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IReadOnlyList<string> words = parameterName switch
        {
            "Protocol" => [.. Words.Protocols.Words],
            "AddressFamily" => Words.AddressFamilies.Words,
            "ForwardingMethod" => Words.ChosenForwardingMethods,
            "TunnelType" => Words.TunnelTypes.Words,
            "TunnelChecksum" => Words.TunnelChecksums.Words,
            "SchedulerFlag" => Words.SchedulerFlags.Words,
            "Snat" => Words.SnatModes.Words,
            "Scheduler" => [.. Words.Schedulers.Select(s => s.Name)],
            "Type" => Words.EventTypes.Words,
            _ => [],
        };
        return words
            .Where(w => w.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
            .Select(w => new CompletionResult(w, w, CompletionResultType.ParameterValue, Words.Schedulers.FirstOrDefault(s => s.Name == w).Description ?? w));
    }
}
