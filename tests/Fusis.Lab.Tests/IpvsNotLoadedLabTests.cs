using System.Diagnostics;
using System.Management.Automation;
using Fusis.Netlink.Ipvs;

namespace Fusis.Lab.Tests;

/// <summary>
/// A kernel that has IPVS as a module nobody loaded yet (Debian's, at boot). The kernel loads ip_vs by itself when a
/// program first asks for the IPVS netlink family (the module declares that alias), so the error every front end must
/// explain is that of a host that cannot load it (modules locked down, or modprobe unavailable), shown here by
/// pointing kernel.modprobe at /bin/false. suite.sh runs these in a process of their own before it loads ip_vs.
/// </summary>
[Trait(Trait, NotLoaded)]
public sealed class IpvsNotLoadedLabTests
{
    public const string Trait = "Kernel";
    public const string NotLoaded = "IpvsNotLoaded";
    private const string ModprobeSetting = "/proc/sys/kernel/modprobe";

    [Fact]
    public async Task Where_ip_vs_cannot_be_loaded_the_client_the_cmdlets_and_the_daemon_say_to_load_it_and_where_it_can_the_kernel_loads_it()
    {
        Assert.False(File.Exists("/proc/net/ip_vs"), "ip_vs is already loaded: these tests run before suite.sh loads it (-trait Kernel=IpvsNotLoaded)");
        Assert.Contains("ip_vs.ko", LabKernel.Run("modinfo", "-n ip_vs"), StringComparison.Ordinal); // the kernel has it, as a module
        string modprobe = File.ReadAllText(ModprobeSetting).Trim();
        File.WriteAllText(ModprobeSetting, "/bin/false");
        IpvsUnavailableException error;
        try
        {
            // Classified by type, as every front end maps it.
            error = Assert.Throws<IpvsUnavailableException>(() => IpvsClient.Open());
            Assert.Contains("modprobe ip_vs", error.Message, StringComparison.Ordinal);

            using var state = new TemporaryDesiredState(); // the cmdlets' and the daemon's, never the host's
            using (var session = new PowerShellSession())
            {
                ErrorRecord record = Assert.Single(session.Invoke("Get-FusisService").Errors);
                Assert.Equal("IpvsUnavailable,Fusis.Commands.Commands.GetFusisServiceCommand", record.FullyQualifiedErrorId);
                Assert.Contains("modprobe ip_vs", record.Exception.Message, StringComparison.Ordinal);
            }

            var info = new ProcessStartInfo(ClusterLab.Daemon)
            {
                ArgumentList = { "balancer", "--listen", "127.0.0.1:18999", "--state", state.Path, "--local-socket", "" },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using Process daemon = Process.Start(info)!;
            Task<string> stderr = daemon.StandardError.ReadToEndAsync();
            Task<string> stdout = daemon.StandardOutput.ReadToEndAsync();
            Assert.True(daemon.WaitForExit(TimeSpan.FromSeconds(120)), "fusis balancer did not exit");
            Assert.Equal(69, daemon.ExitCode);
            Assert.Contains("modprobe ip_vs", await stderr + await stdout, StringComparison.Ordinal);
            Assert.False(File.Exists("/proc/net/ip_vs"), "ip_vs was loaded although kernel.modprobe is /bin/false");
        }
        finally
        {
            File.WriteAllText(ModprobeSetting, modprobe);
        }

        using (IpvsClient loaded = IpvsClient.Open())
        {
            Assert.True(File.Exists("/proc/net/ip_vs"), "opening the IPVS family did not load ip_vs");
        }

        Console.WriteLine($"ip_vs not loadable: IpvsClient.Open threw {error.GetType().Name}; Get-FusisService: IpvsUnavailable; fusis balancer exited 69. " +
            "Loadable: the kernel loaded ip_vs when the family was first asked for.");
    }
}
