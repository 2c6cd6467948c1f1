using Fusis.Daemon.Balancer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Fusis.Daemon.Agent;

/// <summary>`fusis agent`: the generic host around <see cref="AgentService"/>; SIGTERM drains, then leaves.</summary>
public static class AgentHost
{
    /// <summary>Runs the agent with the options <paramref name="readOptions"/> reads, until stopped; returns the exit code.</summary>
    internal static async Task<int> RunAsync(Func<AgentOptions> readOptions)
    {
        AgentOptions options;
        try
        {
            options = readOptions();
        }
        catch (ConfigurationException e)
        {
            await Console.Error.WriteLineAsync($"fusis agent: {e.Message}").ConfigureAwait(false);
            return BalancerHost.ConfigurationExitCode;
        }

        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ApplicationName = "fusis" });
        builder.Services.AddSystemd();
        ConsoleLogging.Configure(builder.Logging);
        builder.Services.AddSingleton(options);
        builder.Services.AddHostedService<AgentService>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.DrainTimeout + TimeSpan.FromSeconds(20));
        using IHost host = builder.Build();
        await host.RunAsync().ConfigureAwait(false);
        return Environment.ExitCode;
    }

    /// <summary>Reads <c>fusis agent</c>'s arguments (without the word agent).</summary>
    /// <exception cref="UsageException">Arguments the parser cannot read.</exception>
    /// <exception cref="ConfigurationException">A value the agent cannot use.</exception>
    public static AgentOptions Parse(string[] args) => CommandLine.AgentCommandLine.Read(args);
}
