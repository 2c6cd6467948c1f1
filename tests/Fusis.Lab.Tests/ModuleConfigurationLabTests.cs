using System.Globalization;
using System.Management.Automation;
using Fusis.Core.Ipvsadm;
using Fusis.Core.Model;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Lab.Tests;

/// <summary>
/// Import-/Export-FusisConfiguration, the timeouts and Clear-FusisStatistics against the real kernel, each in a
/// namespace of its own, cross-checked with ipvsadm.
/// </summary>
public sealed class ModuleConfigurationLabTests
{
    // Every option ipvsadm can save, one service per key.
    private static readonly IReadOnlyList<DesiredService> EveryOption = RoundTripCases.All.Values
        .GroupBy(c => c.Service.Key)
        .Select(g => g.First())
        .Select(c => new DesiredService(ConfigurationImport.DefaultName(c.Service.Key), c.Service, c.Destinations))
        .ToList();

    [Fact]
    public void Export_restored_by_ipvsadm_on_a_clean_kernel_gives_an_identical_table_and_a_second_import_writes_nothing()
    {
        using var state = new TemporaryDesiredState();
        using var fusis = new LabNamespace();
        using var clean = new LabNamespace();
        string document = Path.Combine(Path.GetDirectoryName(state.Path)!, "every-option.json");
        File.WriteAllBytes(document, FileDesiredStateStore.ToJson(new DesiredState(EveryOption, [])));
        using var session = new PowerShellSession();

        string rules;
        IReadOnlyList<string> first, second;
        using (fusis.Enter())
        {
            first = Verbose(session, $"Import-FusisConfiguration '{document}' -Confirm:$false -Verbose 4>&1");
            second = Verbose(session, $"Import-FusisConfiguration '{document}' -Confirm:$false -Verbose 4>&1");
            rules = (string)Assert.Single(Invoke(session, "Export-FusisConfiguration -Format Ipvsadm")).BaseObject;
        }

        clean.Ipvsadm("-R", stdin: rules);

        Assert.Equal(fusis.IpvsadmSave(), clean.IpvsadmSave());
        Assert.Equal(EveryOption.Count, fusis.IpvsadmSave().Count(l => l.StartsWith("-A ", StringComparison.Ordinal)));
        // -Verbose shows the engine's plan: every service and destination added the first time, nothing the second.
        Assert.Equal(EveryOption.Count + EveryOption.Sum(s => s.Destinations.Count), System.Text.RegularExpressions.Regex.Count(first[0], "add (service|destination) "));
        Assert.Contains("(no kernel write)", Assert.Single(second), StringComparison.Ordinal);
    }

    [Fact]
    public void Ipvsadm_save_output_imported_gives_an_identical_table()
    {
        using var state = new TemporaryDesiredState();
        using var source = new LabNamespace();
        using var fusis = new LabNamespace();
        source.Ipvsadm("-R", stdin: IpvsadmRules.Write(new IpvsTable(EveryOption.Select(s => new IpvsTableService(s.Service, s.Destinations)).ToList())));
        string saved = source.Ipvsadm("-S -n");
        using var session = new PowerShellSession();

        IReadOnlyList<string?> names;
        using (fusis.Enter())
        {
            names = Invoke(session, $"@'\n{saved}\n'@ -split \"`n\" | Import-FusisConfiguration -Format Ipvsadm -PassThru -Confirm:$false")
                .Select(o => ((FusisService)o.BaseObject).Name)
                .ToList();
        }

        Assert.Equal(source.IpvsadmSave(), fusis.IpvsadmSave());
        Assert.Equal(EveryOption.Select(s => s.Name).Order(StringComparer.OrdinalIgnoreCase), names);
        Assert.Equal(EveryOption.Count, state.Saved.Services.Count);
    }

    [Fact]
    public void Import_refuses_an_unmanaged_service_then_adopts_it_without_a_kernel_change()
    {
        using var state = new TemporaryDesiredState();
        using var fusis = new LabNamespace();
        fusis.Ipvsadm("-A -t 198.18.70.1:80 -s wrr");
        fusis.Ipvsadm("-a -t 198.18.70.1:80 -r 198.18.71.1:80 -m -w 5");
        string[] before = fusis.IpvsadmSave();
        using var session = new PowerShellSession();

        IReadOnlyList<ErrorRecord> refused, adopted;
        using (fusis.Enter())
        {
            refused = session.Invoke("ipvsadm -S -n | Import-FusisConfiguration -Format Ipvsadm -Confirm:$false").Errors;
            adopted = session.Invoke("ipvsadm -S -n | Import-FusisConfiguration -Format Ipvsadm -Adopt -Confirm:$false").Errors;
        }

        Assert.Equal("ServiceNotManaged,Fusis.Commands.Commands.ImportFusisConfigurationCommand", Assert.Single(refused).FullyQualifiedErrorId);
        Assert.Empty(adopted);
        Assert.Equal(before, fusis.IpvsadmSave());
        Assert.Equal("tcp-198.18.70.1-80", Assert.Single(state.Saved.Services).Name);
    }

    [Fact]
    public void Timeouts_read_and_set_as_ipvsadm_shows_them()
    {
        using var ns = new LabNamespace();
        using var session = new PowerShellSession();

        FusisTimeout before, after;
        using (ns.Enter())
        {
            before = (FusisTimeout)Assert.Single(Invoke(session, "Get-FusisTimeout")).BaseObject;
            after = (FusisTimeout)Assert.Single(Invoke(session, "Set-FusisTimeout -TcpFin 30 -Udp 00:01:30 -PassThru")).BaseObject;
        }

        Assert.Equal(new FusisTimeout(TimeSpan.FromSeconds(900), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(300)), before);
        Assert.Equal(new FusisTimeout(TimeSpan.FromSeconds(900), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(90)), after);
        Assert.Equal("Timeout (tcp tcpfin udp): 900 30 90", ns.Ipvsadm("-L --timeout").Trim());

        // The longest accepted timeout is held exactly (the kernel keeps seconds x HZ in an int).
        using (ns.Enter())
        {
            Invoke(session, $"Set-FusisTimeout -Tcp {IpvsTimeouts.MaxSeconds}");
        }

        Assert.Equal($"Timeout (tcp tcpfin udp): {IpvsTimeouts.MaxSeconds} 30 90", ns.Ipvsadm("-L --timeout").Trim());
    }

    [Fact]
    public void Clear_FusisStatistics_zeroes_real_counters_of_owned_services_only()
    {
        using var state = new TemporaryDesiredState();
        using var ns = new LabNamespace();
        ns.Exec("ip addr add 198.18.72.1/32 dev lo");
        ns.Exec("ip addr add 198.18.72.2/32 dev lo");
        ns.Exec("ip addr add 198.18.72.3/32 dev lo");
        Directory.CreateDirectory("/tmp/fusis-www-72");
        File.WriteAllText("/tmp/fusis-www-72/index.html", "counted\n");
        ns.Exec("busybox httpd -p 198.18.72.2:8080 -h /tmp/fusis-www-72");
        ns.Ipvsadm("-A -t 198.18.72.3:80 -s rr");
        ns.Ipvsadm("-a -t 198.18.72.3:80 -r 198.18.72.2:8080 -m");
        using var session = new PowerShellSession();
        try
        {
            using (ns.Enter())
            {
                Assert.Empty(session.Invoke("New-FusisService web -Address 198.18.72.1 -Port 80 | Out-Null; New-FusisDestination -ServiceName web 198.18.72.2 8080").Errors);
            }

            for (int i = 0; i < 2; i++)
            {
                Assert.Equal("counted", ns.Exec("curl -sS --max-time 10 http://198.18.72.1/").Trim());
                Assert.Equal("counted", ns.Exec("curl -sS --max-time 10 http://198.18.72.3/").Trim());
            }

            // Kernel 6.1 folds per-CPU counters into the reported ones on its 2-second estimator tick.
            WaitFor(() => Connections(ns, "198.18.72.1:80") == 2 && Connections(ns, "198.18.72.3:80") == 2);
            IReadOnlyList<ErrorRecord> errors;
            using (ns.Enter())
            {
                errors = session.Invoke("Clear-FusisStatistics; Get-FusisService | Clear-FusisStatistics").Errors;
            }

            Assert.Equal(0UL, Connections(ns, "198.18.72.1:80"));
            Assert.Equal(0UL, Connections(ns, "198.18.72.2:8080", under: "198.18.72.1:80"));
            Assert.Equal(2UL, Connections(ns, "198.18.72.3:80"));
            Assert.Equal("ServiceNotManaged,Fusis.Commands.Commands.ClearFusisStatisticsCommand", Assert.Single(errors).FullyQualifiedErrorId);
        }
        finally
        {
            ns.Exec("pkill -f 'busybox httpd -p 198.18.72.2:8080'", check: false);
        }
    }

    private static System.Collections.ObjectModel.Collection<PSObject> Invoke(PowerShellSession session, string script)
    {
        (var output, IReadOnlyList<ErrorRecord> errors) = session.Invoke(script);
        Assert.Empty(errors);
        return output;
    }

    private static IReadOnlyList<string> Verbose(PowerShellSession session, string script) =>
        Invoke(session, script).Select(o => o.BaseObject).OfType<VerboseRecord>().Select(v => v.Message).ToList();

    // The connection counter of a service line (or of a destination line under a service) in `ipvsadm -Ln --stats --exact`.
    private static ulong Connections(LabNamespace ns, string endPoint, string? under = null)
    {
        string[] lines = ns.Ipvsadm("-Ln --stats --exact").Split('\n');
        int start = under is null ? 0 : Array.FindIndex(lines, l => l.Contains($" {under} ", StringComparison.Ordinal));
        string line = lines.Skip(start).First(l => l.Contains($" {endPoint} ", StringComparison.Ordinal));
        return ulong.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^5], CultureInfo.InvariantCulture);
    }

    private static void WaitFor(Func<bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, "the counters did not reach the expected values in 20 s");
            Thread.Sleep(250);
        }
    }
}
