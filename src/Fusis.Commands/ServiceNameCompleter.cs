using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Fusis.Core;
using Fusis.Core.Backends;
using Fusis.Core.State;

namespace Fusis.Commands;

/// <summary>
/// Completes the names of the services Fusis owns: from the balancer given with -Balancer, else from this host's
/// desired state (no kernel access, no root needed).
/// </summary>
public sealed class ServiceNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IReadOnlyList<(string Name, string Service)> services;
        try
        {
            services = fakeBoundParameters?["Balancer"] is { } balancer && Uri.TryCreate(balancer.ToString(), UriKind.Absolute, out Uri? uri)
                ? Remote(uri)
                : [.. FileDesiredStateStore.Read(LocalBackend.StatePath).Services.Select(s => (s.Name, s.Key.ToString()))];
        }
        catch (Exception e) when (e is DesiredStateException or FusisException)
        {
            return []; // completion never throws; the command itself reports the problem
        }

        var pattern = new WildcardPattern((wordToComplete ?? string.Empty).Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        return services
            .Where(s => pattern.IsMatch(s.Name))
            .OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase)
            .Select(s => new CompletionResult(
                s.Name.Any(c => c is ' ' or '\'' or '$' or '`') ? $"'{s.Name.Replace("'", "''", StringComparison.Ordinal)}'" : s.Name,
                s.Name, CompletionResultType.ParameterValue, $"{s.Name}: {s.Service}"))
            .ToList();
    }

    private static List<(string Name, string Service)> Remote(Uri balancer)
    {
        ApiBackend api = ApiBackend.Connect(balancer, Environment.GetEnvironmentVariable(FusisBackendCmdletBase.TokenVariable));
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            return [.. api.ReadServicesAsync(timeout.Token).GetAwaiter().GetResult().Select(s => (s.Name, Core.Api.ApiModel.Key(s).ToString()))];
        }
        catch (OperationCanceledException)
        {
            return [];
        }
        finally
        {
            api.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
