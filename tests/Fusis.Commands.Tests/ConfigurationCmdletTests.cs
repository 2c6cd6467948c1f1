using System.Management.Automation;
using System.Net;
using Fusis.Core.Ipvsadm;
using Fusis.Core.Model;
using Fusis.Core.Reconcile;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands.Tests;

/// <summary>Export-/Import-FusisConfiguration over the in-memory kernel (the lab proves them with ipvsadm).</summary>
public sealed class ConfigurationCmdletTests
{
    private const string Rules = """
        -A -t 198.18.0.1:80 -s wrr
        -a -t 198.18.0.1:80 -r 198.18.1.1:8080 -m -w 3
        -a -t 198.18.0.1:80 -r 198.18.1.2:8080 -g -w 1
        -A -u [fd00::53]:53 -s rr
        -a -u [fd00::53]:53 -r [fd00::1:53]:53 -m -w 1
        -A -f 7 -s sh -p 120
        """;

    private static readonly IpvsServiceKey Web = IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse("198.18.0.1"), 80);

    [Fact]
    public void Ipvsadm_rules_become_owned_services_named_after_their_keys()
    {
        using var host = new CmdletHost(DesiredState.Empty);

        (var output, IReadOnlyList<ErrorRecord> errors) = host.Invoke($"@'\n{Rules}\n'@ -split \"`n\" | Import-FusisConfiguration -Format Ipvsadm -PassThru -Confirm:$false");

        Assert.Empty(errors);
        Assert.Equal(["fwm-7", "tcp-198.18.0.1-80", "udp-fd00__53-53"], output.Select(o => ((FusisService)o.BaseObject).Name));
        Assert.Equal(Lines(IpvsadmRules.Write(IpvsadmRules.Parse(Rules))), Lines(IpvsadmRules.Write(KernelTable.Read(host.Kernel))));
        Assert.Equal(3, host.Saved.Services.Count);
    }

    [Fact]
    public void Export_then_import_elsewhere_gives_the_same_state_and_table_and_a_second_import_writes_nothing()
    {
        using var source = new CmdletHost(DesiredState.Empty);
        Assert.Empty(source.Invoke($"@'\n{Rules}\n'@ | Import-FusisConfiguration -Format Ipvsadm -Confirm:$false").Errors);
        Assert.Empty(source.Invoke("Set-FusisService tcp-198.18.0.1-80 -NewName web").Errors);
        string exported = Path.Combine(Path.GetDirectoryName(source.StatePath)!, "exported.json");
        Assert.Empty(source.Invoke($"Export-FusisConfiguration -Path '{exported}'").Errors);

        using var target = new CmdletHost(DesiredState.Empty);
        Assert.Empty(target.Invoke($"Import-FusisConfiguration '{exported}' -Confirm:$false").Errors);
        int writes = target.Kernel.Writes;
        Assert.Empty(target.Invoke($"Import-FusisConfiguration '{exported}' -Confirm:$false").Errors);

        Assert.Equal(writes, target.Kernel.Writes);
        Assert.Equal(source.Saved, target.Saved);
        Assert.Equal(IpvsadmRules.Write(KernelTable.Read(source.Kernel)), IpvsadmRules.Write(KernelTable.Read(target.Kernel)));
        Assert.Equal(
            Lines(IpvsadmRules.Write(KernelTable.Read(source.Kernel))),
            Lines((string)Assert.Single(source.Invoke("Export-FusisConfiguration -Format Ipvsadm").Output).BaseObject));
    }

    // The rules as a set of lines: the kernel lists a service's newest destination first, the desired state in its own order.
    private static string Lines(string rules) => string.Join('\n', rules.Split('\n').Order(StringComparer.Ordinal));

    [Fact]
    public void Import_deletes_the_owned_services_it_no_longer_names_and_leaves_others_alone()
    {
        using var host = new CmdletHost(DesiredState.Empty);
        Assert.Empty(host.Invoke("New-FusisService -Name old -Address 198.18.0.9 -Port 443").Errors);
        var unmanaged = IpvsServiceKey.ForEndPoint(IpvsProtocol.Udp, IPAddress.Parse("198.18.0.53"), 53);
        host.Kernel.Apply([IpvsOperation.AddService(new IpvsService { Key = unmanaged })]);

        Assert.Empty(host.Invoke("'-A -t 198.18.0.1:80 -s rr' | Import-FusisConfiguration -Format Ipvsadm -Confirm:$false").Errors);

        Assert.Equal([Web, unmanaged], host.Kernel.GetServices().Select(s => s.Key).OrderBy(k => k.Protocol));
        Assert.Equal(new DesiredState([new DesiredService("tcp-198.18.0.1-80", Assert.Single(host.Saved.Services).Service, [])], []), host.Saved);
    }

    [Fact]
    public void A_service_Fusis_does_not_own_is_refused_unless_adopted()
    {
        using var host = new CmdletHost(DesiredState.Empty);
        host.Kernel.Apply([IpvsOperation.AddService(new IpvsService { Key = Web, Scheduler = "rr" })]);
        string before = host.SavedFiles();

        ErrorRecord error = Assert.Single(host.Invoke("'-A -t 198.18.0.1:80 -s wrr' | Import-FusisConfiguration -Format Ipvsadm -Confirm:$false").Errors);

        Assert.Equal("ServiceNotManaged,Fusis.Commands.Commands.ImportFusisConfigurationCommand", error.FullyQualifiedErrorId);
        Assert.Contains("adopt them to take them over", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(before, host.SavedFiles());
        Assert.Equal("rr", host.Kernel.GetService(Web)!.Scheduler);

        Assert.Empty(host.Invoke("'-A -t 198.18.0.1:80 -s wrr' | Import-FusisConfiguration -Format Ipvsadm -Adopt -Confirm:$false").Errors);
        Assert.Equal("wrr", host.Kernel.GetService(Web)!.Scheduler);
        Assert.Equal("tcp-198.18.0.1-80", Assert.Single(host.Saved.Services).Name);
    }

    [Theory]
    [InlineData("'-A -t 198.18.0.1:80 -s rr -x 5' | Import-FusisConfiguration -Format Ipvsadm", "line 1")]
    [InlineData("'{\"kind\":\"something-else\",\"version\":1}' | Import-FusisConfiguration", "not a Fusis desired-state file")]
    [InlineData("'not json' | Import-FusisConfiguration", "is not a Fusis Json configuration")]
    [InlineData("'-A -t 198.18.0.1:80 -s rr','-a -t 198.18.0.1:80 -r 198.18.1.1:80 -m -x 1 -y 5' | Import-FusisConfiguration -Format Ipvsadm", "lower threshold exceeds")]
    public void A_bad_configuration_is_refused_whole_and_changes_nothing(string script, string message)
    {
        using var host = new CmdletHost(DesiredState.Empty);
        Assert.Empty(host.Invoke("New-FusisService -Name keep -Address 198.18.0.9 -Port 443").Errors);
        string before = host.SavedFiles();
        int writes = host.Kernel.Writes;

        ErrorRecord error = Assert.Single(host.Invoke(script).Errors);

        Assert.Equal("ConfigurationInvalid,Fusis.Commands.Commands.ImportFusisConfigurationCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Contains(message, error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(before, host.SavedFiles());
        Assert.Equal(writes, host.Kernel.Writes);
    }

    [Fact]
    public void WhatIf_lists_the_plan_and_writes_nothing()
    {
        using var host = new CmdletHost(DesiredState.Empty);
        string before = host.SavedFiles();

        (var output, IReadOnlyList<ErrorRecord> errors) = host.Invoke($"@'\n{Rules}\n'@ | Import-FusisConfiguration -Format Ipvsadm -WhatIf -PassThru");

        Assert.Empty(errors);
        Assert.Empty(output);
        Assert.Equal(0, host.Kernel.Writes);
        Assert.Equal(before, host.SavedFiles());
    }

    [Fact]
    public void Set_FusisService_NewName_renames_without_a_kernel_write_and_refuses_a_taken_name()
    {
        using var host = new CmdletHost(DesiredState.Empty);
        Assert.Empty(host.Invoke($"@'\n{Rules}\n'@ | Import-FusisConfiguration -Format Ipvsadm -Confirm:$false").Errors);
        int writes = host.Kernel.Writes;

        Assert.Empty(host.Invoke("Set-FusisService tcp-198.18.0.1-80 -NewName web").Errors);
        ErrorRecord taken = Assert.Single(host.Invoke("Set-FusisService web -NewName FWM-7").Errors);

        Assert.Equal(writes, host.Kernel.Writes);
        Assert.Equal(["fwm-7", "udp-fd00__53-53", "web"], host.Saved.Services.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.Equal("ServiceExists,Fusis.Commands.Commands.SetFusisServiceCommand", taken.FullyQualifiedErrorId);
    }

    [Fact]
    public void Export_NoClobber_refuses_an_existing_file()
    {
        using var host = new CmdletHost(DesiredState.Empty);
        string path = Path.Combine(Path.GetDirectoryName(host.StatePath)!, "taken.rules");
        File.WriteAllText(path, "keep");

        ErrorRecord error = Assert.Single(host.Invoke($"Export-FusisConfiguration '{path}' -Format Ipvsadm -NoClobber").Errors);

        Assert.Equal("FileExists,Fusis.Commands.Commands.ExportFusisConfigurationCommand", error.FullyQualifiedErrorId);
        Assert.Equal("keep", File.ReadAllText(path));
    }
}
