using System.Management.Automation;
using System.Net;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands.Tests;

public sealed class DestinationCmdletTests
{
    private static readonly IpvsServiceKey Web = IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse("198.18.0.1"), 80);

    [Fact]
    public void New_by_name_and_from_the_pipeline_with_the_services_port_by_default()
    {
        using CmdletHost host = WithWeb();

        Assert.Empty(host.Invoke("New-FusisDestination -ServiceName web -Address 198.18.1.1 -Port 8080 -Weight 3").Errors);
        Assert.Empty(host.Invoke("Get-FusisService web | New-FusisDestination 198.18.1.2 -ForwardingMethod DirectRoute").Errors);
        Assert.Empty(host.Invoke("New-FusisDestination -ServiceName web -Address 198.18.1.3 -ForwardingMethod Tunnel -TunnelType Gue -TunnelPort 6080 -TunnelChecksum Checksum").Errors);

        IpvsDestination[] expected =
        [
            new() { Address = IPAddress.Parse("198.18.1.1"), Port = 8080, Weight = 3 },
            new() { Address = IPAddress.Parse("198.18.1.2"), Port = 80, ForwardingMethod = IpvsForwardingMethod.DirectRoute },
            new()
            {
                Address = IPAddress.Parse("198.18.1.3"), Port = 80, ForwardingMethod = IpvsForwardingMethod.Tunnel, TunnelType = IpvsTunnelType.Gue,
                TunnelPort = 6080, TunnelChecksum = IpvsTunnelChecksum.Checksum,
            },
        ];
        Assert.Equal(expected, host.Kernel.GetDestinations(Web).Select(d => d.WithoutCounters()).Reverse()); // the kernel lists the newest first
        Assert.Equal(expected, Assert.Single(host.Saved.Services).Destinations);
    }

    [Theory]
    [InlineData("New-FusisDestination -ServiceName web -Address 198.18.1.1 -TunnelType Gre", "InvalidArgument", "tunnel settings apply only to the tunnel forwarding method, not nat")]
    [InlineData("New-FusisDestination -ServiceName web -Address 198.18.1.1 -ForwardingMethod Tunnel -TunnelType Gue", "InvalidArgument", "a GUE tunnel needs a tunnel port")]
    [InlineData("New-FusisDestination -ServiceName web -Address 198.18.1.9 -Port 8080", "DestinationExists", "already has destination 198.18.1.9:8080")]
    [InlineData("New-FusisDestination -ServiceName web -Address fd00::9", "InvalidArgument", "of another address family than the service; only tunnels allow that")]
    [InlineData("New-FusisDestination -ServiceName web -Address 198.18.1.8 -UpperThreshold 5 -LowerThreshold 6", "InvalidArgument", "the lower threshold cannot exceed the upper one")]
    [InlineData("New-FusisDestination -ServiceName nosuch -Address 198.18.1.8", "ServiceNotFound", "no service named 'nosuch'")]
    [InlineData("New-FusisDestination -ServiceName web -Address 198.18.1.999", "InvalidArgument", "'198.18.1.999' is not an IPv4 or IPv6 address")]
    [InlineData("Set-FusisDestination -ServiceName web 198.18.1.7 80 -Weight 2", "DestinationNotFound", "has no destination '198.18.1.7:80'")]
    [InlineData("Set-FusisService web -Scheduler nosuch", "InvalidArgument", "scheduler 'nosuch'")]
    public void Bad_input_is_a_specific_error_and_changes_nothing(string script, string id, string message)
    {
        using CmdletHost host = WithWeb();
        Assert.Empty(host.Invoke("New-FusisDestination -ServiceName web -Address 198.18.1.9 -Port 8080").Errors);
        string before = host.SavedFiles();
        var kernelBefore = (host.Kernel.GetService(Web), host.Kernel.GetDestinations(Web).Select(d => d.WithoutCounters()).ToList());

        ErrorRecord error = Assert.Single(host.Invoke(script).Errors);

        Assert.StartsWith(id + ",", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains(message, error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(before, host.SavedFiles());
        Assert.Equal(kernelBefore.Item1, host.Kernel.GetService(Web));
        Assert.Equal(kernelBefore.Item2, host.Kernel.GetDestinations(Web).Select(d => d.WithoutCounters()));
    }

    [Fact]
    public void Set_from_the_pipeline_changes_only_the_options_given_and_Remove_takes_destinations_out()
    {
        using CmdletHost host = WithWeb();
        Assert.Empty(host.Invoke("New-FusisDestination -ServiceName web -Address 198.18.1.1 -Port 8080 -Weight 3 -UpperThreshold 50").Errors);
        Assert.Empty(host.Invoke("New-FusisDestination -ServiceName web -Address 198.18.1.2 -Port 8080").Errors);

        Assert.Empty(host.Invoke("Get-FusisDestination web | Where-Object Address -eq 198.18.1.1 | Set-FusisDestination -Weight 0").Errors);
        IpvsDestination drained = host.Kernel.GetDestinations(Web).Single(d => d.Address.Equals(IPAddress.Parse("198.18.1.1")));
        Assert.Equal((0, 50u, IpvsForwardingMethod.Masquerade), (drained.Weight, drained.UpperThreshold, drained.ForwardingMethod));

        Assert.Empty(host.Invoke("Get-FusisDestination web | Where-Object Address -eq 198.18.1.2 | Remove-FusisDestination -Confirm:$false").Errors);
        Assert.Equal([drained.WithoutCounters()], host.Kernel.GetDestinations(Web).Select(d => d.WithoutCounters()));

        // gone behind Fusis's back: it is not in Get-FusisDestination's output, but removing it by name still works
        Assert.True(host.Kernel.Apply([IpvsOperation.DeleteDestination(Web, drained)]).Single().Succeeded);
        Assert.Empty(host.Invoke("Remove-FusisDestination -ServiceName web 198.18.1.1 8080 -Confirm:$false").Errors);
        Assert.Empty(host.Kernel.GetDestinations(Web));
        Assert.Empty(Assert.Single(host.Saved.Services).Destinations);
    }

    [Fact]
    public void Set_FusisService_changes_settings_in_place_and_keeps_destinations()
    {
        using CmdletHost host = WithWeb();
        Assert.Empty(host.Invoke("New-FusisDestination -ServiceName web -Address 198.18.1.1").Errors);

        Assert.Empty(host.Invoke("Set-FusisService web -Scheduler sh -SchedulerFlag Fallback, Port -PersistenceTimeout 60 -Netmask 255.255.255.0").Errors);
        IpvsService changed = host.Kernel.GetService(Web)! with { Statistics = null };
        Assert.Equal(
            new IpvsService
            {
                Key = Web,
                Scheduler = "sh",
                Timeout = 60,
                Netmask = 0xFFFFFF00,
                Flags = IpvsServiceFlags.Persistent | IpvsServiceFlags.SchedulerFallback | IpvsServiceFlags.SchedulerPort,
            },
            changed);

        Assert.Empty(host.Invoke("Set-FusisService web -PersistenceTimeout 0 -SchedulerFlag @()").Errors);
        Assert.Equal(IpvsServiceFlags.None, host.Kernel.GetService(Web)!.Flags);
        Assert.Single(host.Kernel.GetDestinations(Web));
        Assert.Equal(host.Kernel.GetService(Web)! with { Statistics = null }, Assert.Single(host.Saved.Services).Service);
    }

    [Fact]
    public void Destinations_of_unmanaged_services_are_refused()
    {
        using CmdletHost host = WithWeb();
        var dns = IpvsServiceKey.ForEndPoint(IpvsProtocol.Udp, IPAddress.Parse("198.18.0.53"), 53);
        host.Kernel.Apply([IpvsOperation.AddService(new IpvsService { Key = dns })]);

        ErrorRecord error = Assert.Single(host.Invoke("Get-FusisService | Where-Object Managed -eq $false | New-FusisDestination 198.18.1.1").Errors);

        Assert.Equal("ServiceNotManaged,Fusis.Commands.Commands.NewFusisDestinationCommand", error.FullyQualifiedErrorId);
        Assert.Empty(host.Kernel.GetDestinations(dns));
    }

    private static CmdletHost WithWeb()
    {
        var host = new CmdletHost(DesiredState.Empty);
        Assert.Empty(host.Invoke("New-FusisService -Name web -Address 198.18.0.1 -Port 80 -Scheduler wrr").Errors);
        return host;
    }
}
