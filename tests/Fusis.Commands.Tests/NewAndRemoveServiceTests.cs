using System.Management.Automation;
using System.Net;
using Fusis.Core.Model;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands.Tests;

public sealed class NewAndRemoveServiceTests
{
    private static readonly IpvsServiceKey Web = IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse("198.18.0.1"), 80);

    [Fact]
    public void New_saves_the_desired_state_and_creates_the_service()
    {
        using var host = new CmdletHost(DesiredState.Empty);

        (var output, IReadOnlyList<ErrorRecord> errors) = host.Invoke(
            "New-FusisService -Name web -Address 198.18.0.1 -Port 80 -Scheduler wrr -PersistenceTimeout 300 -Netmask 255.255.255.0 -SchedulerFlag Port");

        Assert.Empty(errors);
        var shown = Assert.IsType<FusisService>(Assert.Single(output).BaseObject);
        Assert.Equal(("web", "TCP 198.18.0.1:80", "wrr", true), (shown.Name, shown.Service, shown.Scheduler, shown.Persistent));
        var expected = new IpvsService
        {
            Key = Web,
            Scheduler = "wrr",
            Flags = IpvsServiceFlags.Persistent | IpvsServiceFlags.SchedulerPort,
            Timeout = 300,
            Netmask = 0xFFFFFF00,
        };
        Assert.Equal(expected, host.Kernel.GetService(Web)! with { Statistics = null });
        DesiredService saved = Assert.Single(host.Saved.Services);
        Assert.Equal(("web", expected), (saved.Name, saved.Service));
    }

    [Fact]
    public void WhatIf_prints_the_kernel_operations_and_changes_neither_the_kernel_nor_the_desired_state()
    {
        using var host = new CmdletHost(DesiredState.Empty);
        string before = host.SavedFiles();

        Assert.Empty(host.Invoke("New-FusisService -Name web -Address 198.18.0.1 -Port 80 -Scheduler wrr -WhatIf").Errors);

        Assert.Equal(0, host.Kernel.Writes);
        Assert.Equal(before, host.SavedFiles());
        string line = Assert.Single(host.Host.Lines);
        Assert.StartsWith("What if: Performing the operation \"change the desired state through this host (no balancer daemon runs; desired state ", line, StringComparison.Ordinal);
        Assert.EndsWith("): add service TCP 198.18.0.1:80 (scheduler wrr)\" on target \"web\".", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("New-FusisService -Name web -Address 198.18.0.9 -Port 80", "ServiceExists", "a service named 'web' already exists")]
    [InlineData("New-FusisService -Name web2 -Address 198.18.0.1 -Port 80", "ServiceExists", "TCP 198.18.0.1:80 is already the service 'web'")]
    [InlineData("New-FusisService -Name dns -Protocol Udp -Address 198.18.0.53 -Port 53", "ServiceExists", "Fusis does not own it")]
    [InlineData("New-FusisService -Name x -Address 198.18.0.300 -Port 80", "InvalidArgument", "'198.18.0.300' is not an IPv4 or IPv6 address")]
    [InlineData("New-FusisService -Name x -Address fd00::1 -Port 80 -Netmask 255.255.0.0", "InvalidArgument", "an IPv6 netmask is a prefix length")]
    [InlineData("New-FusisService -Name 'bad name!' -Address 198.18.0.2 -Port 80", "InvalidArgument", "'bad name!' is not valid")]
    [InlineData("New-FusisService -Name x -Address 198.18.0.2 -Port 80 -Scheduler nosuch", "InvalidArgument", "scheduler 'nosuch'")]
    public void Bad_input_is_a_specific_error_and_changes_nothing(string script, string id, string message)
    {
        using CmdletHost host = WithWebAndAnUnmanagedDns();
        string before = host.SavedFiles();
        int writes = host.Kernel.Writes;

        ErrorRecord error = Assert.Single(host.Invoke(script).Errors);

        Assert.Equal($"{id},Fusis.Commands.Commands.NewFusisServiceCommand", error.FullyQualifiedErrorId);
        Assert.Contains(message, error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(before, host.SavedFiles());
        Assert.Equal(writes, host.Kernel.Writes);
        Assert.Equal(2, host.Kernel.GetServices().Count);
    }

    [Fact]
    public void Rows_from_the_pipeline_each_succeed_or_fail_on_their_own()
    {
        using var host = new CmdletHost(DesiredState.Empty);

        IReadOnlyList<ErrorRecord> errors = host.Invoke("""
            @(
                [pscustomobject]@{ Name = 'a'; Address = '198.18.0.1'; Port = 80 }
                [pscustomobject]@{ Name = 'b'; Address = 'not-an-ip'; Port = 80 }
                [pscustomobject]@{ Name = 'c'; Address = 'fd00::c'; Port = 443; Scheduler = 'rr' }
            ) | New-FusisService
            """).Errors;

        Assert.Equal("'not-an-ip' is not an IPv4 or IPv6 address (IPv4 as four dotted decimals, IPv6 without a zone); nothing was changed", Assert.Single(errors).Exception.Message);
        Assert.Equal(["a", "c"], host.Saved.Services.Select(s => s.Name));
        Assert.Equal(2, host.Kernel.GetServices().Count);
    }

    [Fact]
    public void Remove_deletes_owned_services_by_name_or_pipeline_and_refuses_unmanaged_ones()
    {
        using CmdletHost host = WithWebAndAnUnmanagedDns();
        Assert.Empty(host.Invoke("New-FusisService -Name api -Address 198.18.0.2 -Port 443").Errors);

        Assert.Empty(host.Invoke("Remove-FusisService web -Confirm:$false").Errors);
        IReadOnlyList<ErrorRecord> errors = host.Invoke("Get-FusisService | Remove-FusisService -Confirm:$false").Errors;

        ErrorRecord refused = Assert.Single(errors);
        Assert.Equal("ServiceNotManaged,Fusis.Commands.Commands.RemoveFusisServiceCommand", refused.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.PermissionDenied, refused.CategoryInfo.Category);
        Assert.Equal(DesiredState.Empty, host.Saved);
        Assert.Equal("UDP 198.18.0.53:53", Assert.Single(host.Kernel.GetServices()).Key.ToString());
    }

    [Fact]
    public void Remove_finishes_a_service_already_gone_from_the_kernel_and_WhatIf_changes_nothing()
    {
        using CmdletHost host = WithWebAndAnUnmanagedDns();
        string before = host.SavedFiles();

        Assert.Empty(host.Invoke("Remove-FusisService w* -WhatIf").Errors);
        Assert.Equal(before, host.SavedFiles());
        Assert.NotNull(host.Kernel.GetService(Web));

        host.Kernel.Apply([IpvsOperation.DeleteService(Web)]); // deleted behind Fusis's back
        Assert.Empty(host.Invoke("Remove-FusisService web -Confirm:$false").Errors);
        Assert.Equal(DesiredState.Empty, host.Saved);
        Assert.Equal("ServiceNotFound,Fusis.Commands.Commands.RemoveFusisServiceCommand", Assert.Single(host.Invoke("Remove-FusisService web -Confirm:$false").Errors).FullyQualifiedErrorId);
    }

    private static CmdletHost WithWebAndAnUnmanagedDns()
    {
        var host = new CmdletHost(DesiredState.Empty);
        Assert.Empty(host.Invoke("New-FusisService -Name web -Address 198.18.0.1 -Port 80").Errors);
        host.Kernel.Apply([IpvsOperation.AddService(new IpvsService { Key = IpvsServiceKey.ForEndPoint(IpvsProtocol.Udp, IPAddress.Parse("198.18.0.53"), 53) })]);
        return host;
    }
}
