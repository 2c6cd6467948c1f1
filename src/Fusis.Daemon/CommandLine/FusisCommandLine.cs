using System.CommandLine;
using Fusis.Core.Backends;
using Fusis.Daemon.Agent;
using Fusis.Daemon.Balancer;
using Fusis.Daemon.Dsc;
using Fusis.Netlink.Ipvs;

namespace Fusis.Daemon.CommandLine;

/// <summary>
/// The <c>fusis</c> executable's command line (System.CommandLine): <c>balancer</c>, <c>agent</c>, <c>dsc</c> and
/// <c>completion</c>, with --help (-h) on each and --version. What the parser cannot read exits 64 with the problem
/// and where to find help; what each command does with its values is its own (78 for a bad setting, ...).
/// </summary>
public static class FusisCommandLine
{
    /// <summary>Exit code for a command line the parser cannot read (as sysexits' EX_USAGE).</summary>
    public const int UsageExitCode = 64;

    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        RootCommand root = Create();
        ParseResult result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            await error.WriteAsync(Explain(result)).ConfigureAwait(false);
            return UsageExitCode;
        }

        if (result.GetResult(root.Options.OfType<VersionOption>().Single()) is not null)
        {
            await output.WriteLineAsync(Program.Version).ConfigureAwait(false);
            return 0;
        }

        // The daemons stop on SIGTERM through their own host; the parser must not race them to it.
        return await result.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null }).ConfigureAwait(false);
    }

    /// <summary>The whole command tree, for the executable and its completions.</summary>
    public static RootCommand Create()
    {
        var balancer = new BalancerCommandLine();
        balancer.Command.SetAction((result, _) => balancer.ReleasesVips(result)
            ? BalancerHost.ReleaseVipsAsync(() => balancer.Read(result))
            : BalancerHost.RunAsync(() => balancer.Read(result), () => IpvsClient.Open()));
        var agent = new AgentCommandLine();
        agent.Command.SetAction((result, _) => AgentHost.RunAsync(() => agent.Read(result)));

        var operation = new Argument<string>("operation") { Description = "get, set, test, export or delete" };
        operation.CompletionSources.Add("get", "set", "test", "export", "delete");
        var resource = new Argument<string>("resource") { Description = "service (Fusis/Service) or destination (Fusis/Destination)" };
        resource.CompletionSources.Add("service", "destination");
        var dsc = new Command("dsc",
            "The DSC v3 command resources Fusis/Service and Fusis/Destination: the resource's JSON on stdin, JSON lines out. Goes through " +
            $"this host's balancer daemon when one answers on its local socket ({LocalBackend.SocketPathVariable}), else runs the engine on " +
            $"the desired state ({LocalBackend.StatePathVariable}). Exit codes: 0 done, 1 failed, 2 invalid input, 3 unavailable.")
        {
            operation,
            resource,
        };
        dsc.SetAction((result, _) => DscCommand.RunAsync(
            [result.GetValue(operation)!, result.GetValue(resource)!], Console.In, Console.Out, Console.Error, () => IpvsClient.Open(),
            LocalBackend.StatePath, LocalBackend.SocketPath));

        var shell = new Argument<string>("shell") { Description = "bash (zsh reads it through bashcompinit)" };
        shell.AcceptOnlyFromAmong("bash");
        var completion = new Command("completion", "Prints the shell completion script: source <(fusis completion bash)") { shell };
        completion.SetAction(result => result.InvocationConfiguration.Output.Write(CompletionScript.Bash));

        return new RootCommand(
            "Fusis: a dynamic Layer-4 load balancer on IPVS and Serf. Exit codes: 0 done, 64 a command line it cannot read, " +
            "65 an unusable desired-state file, 69 unavailable (no IPVS, not root, no nftables for SNAT), 78 a bad setting.")
        {
            balancer.Command,
            agent.Command,
            dsc,
            completion,
        };
    }

    /// <exception cref="UsageException">The parser found problems in <paramref name="result"/>.</exception>
    internal static void ThrowIfUnreadable(ParseResult result)
    {
        if (result.Errors.Count > 0)
        {
            throw new UsageException(Explain(result).TrimEnd());
        }
    }

    // "fusis balancer: Unrecognized command or argument '--lisen' (did you mean --listen?)" and where help is.
    private static string Explain(ParseResult result)
    {
        Command command = result.CommandResult.Command;
        string path = string.Join(' ', Ancestry(command).Reverse().Select(c => c is RootCommand ? "fusis" : c.Name));
        if (!path.StartsWith("fusis", StringComparison.Ordinal))
        {
            path = "fusis " + path;
        }

        IEnumerable<string> known = command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Concat(command.Subcommands.Select(c => c.Name));
        var text = new System.Text.StringBuilder();
        foreach (var problem in result.Errors)
        {
            string typo = result.UnmatchedTokens.FirstOrDefault(t => problem.Message.Contains($"'{t}'", StringComparison.Ordinal)) is { } token
                ? Settings.Suggestion.DidYouMean(token, known)
                : string.Empty;
            text.Append(path).Append(": ").Append(problem.Message.TrimEnd('.')).Append(typo).AppendLine();
        }

        text.AppendLine($"Run '{path} --help' for what it accepts.");
        return text.ToString();
    }

    private static IEnumerable<Command> Ancestry(Command command)
    {
        for (Symbol? symbol = command; symbol is Command c; symbol = c.Parents.FirstOrDefault())
        {
            yield return c;
        }
    }
}
