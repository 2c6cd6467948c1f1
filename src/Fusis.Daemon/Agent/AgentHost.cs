using Fusis.Core.Membership;
using Fusis.Daemon.Balancer;
using Fusis.Netlink.Ipvs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Fusis.Daemon.Agent;

/// <summary>`fusis agent`: the generic host around <see cref="AgentService"/>; SIGTERM drains, then leaves.</summary>
public static class AgentHost
{
    public static string Usage =>
        "usage: fusis agent --service NAME:PORT[:WEIGHT[:nat|route|tunnel|ipip|gre[/CHECKSUM]|gue/PORT[/CHECKSUM]]] ... [--serf-rpc HOST:PORT] " +
        "[--serf PATH --node NAME --bind ADDRESS] [--join ADDRESS] ... [--address OTHER-FAMILY-ADDRESS] [--drain-timeout HH:MM:SS]";

    public static async Task<int> RunAsync(string[] args)
    {
        AgentOptions options;
        try
        {
            options = Parse(args);
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

    /// <exception cref="ConfigurationException">Unknown or malformed arguments.</exception>
    public static AgentOptions Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new AgentOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string flag = args[i];
            string value = i + 1 < args.Length ? args[++i] : throw new ConfigurationException($"{flag} needs a value. {Usage}");
            switch (flag)
            {
                case "--service":
                    IReadOnlyList<ServiceAnnouncement> parsed = AgentTags.Parse(value, out IReadOnlyList<string> problems);
                    if (problems.Count > 0)
                    {
                        throw new ConfigurationException($"--service {string.Join("; ", problems)}");
                    }

                    if (parsed.FirstOrDefault(a => a is { TunnelType: IpvsTunnelType.Gre, TunnelChecksum: not IpvsTunnelChecksum.None }) is { } checksummed)
                    {
                        // The kernel's gre0 drops GRE whose checksum flag differs from its own (none); receiving it
                        // needs a device with icsum for each balancer, which the agent does not create.
                        throw new ConfigurationException($"--service {checksummed.Service}: the agent cannot prepare a backend for GRE with checksums; use gre, or gue/PORT/checksum");
                    }

                    options.Services.AddRange(parsed);
                    break;
                case "--address":
                    options.Addresses.Add(!value.Contains(',', StringComparison.Ordinal) && AgentTags.ParseAddresses(value) is [var address]
                        ? address
                        : throw new ConfigurationException($"--address '{value}' is not an IPv4 or IPv6 address (without a zone)"));
                    if (options.Addresses.Count > AgentTags.MaxAddresses)
                    {
                        throw new ConfigurationException($"--address is given at most {AgentTags.MaxAddresses} times");
                    }

                    break;
                case "--serf-rpc":
                    options.SerfRpc = value;
                    break;
                case "--serf":
                    options.SerfPath = value;
                    break;
                case "--node":
                    options.Node = value;
                    break;
                case "--bind":
                    options.Bind = value;
                    break;
                case "--join":
                    options.Join.Add(value);
                    break;
                case "--drain-timeout":
                    options.DrainTimeout = TimeSpan.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out TimeSpan timeout) && timeout > TimeSpan.Zero
                        ? timeout
                        : throw new ConfigurationException($"--drain-timeout '{value}' is not a positive HH:MM:SS");
                    break;
                default:
                    throw new ConfigurationException($"unknown argument '{flag}'. {Usage}");
            }
        }

        if (options.Services.Count == 0)
        {
            throw new ConfigurationException($"an agent announces at least one --service. {Usage}");
        }

        if (AgentTags.Format(options.Services).Length + string.Join(',', options.Addresses).Length > 400)
        {
            throw new ConfigurationException("the services do not fit in Serf's 512-byte tag limit; announce fewer");
        }

        return options;
    }
}
