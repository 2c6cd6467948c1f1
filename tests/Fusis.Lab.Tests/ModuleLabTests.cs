using System.Management.Automation;
using Fusis.Core.Model;
using Fusis.Core.Reconcile;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Lab.Tests;

/// <summary>The laid-out module's cmdlets against the real kernel, cross-checked with the kernel's own view.</summary>
public sealed class ModuleLabTests
{
    [Fact]
    public void Get_FusisInfo_reports_what_the_kernel_and_ipvsadm_say()
    {
        LabKernel.RequireIpvs();
        using var session = new PowerShellSession();

        (var output, IReadOnlyList<ErrorRecord> errors) = session.Invoke("Get-FusisInfo");

        Assert.Empty(errors);
        var info = Assert.IsType<FusisInfo>(Assert.Single(output).BaseObject);
        Assert.Equal($"IP Virtual Server version {info.IpvsVersion} (size={info.ConnectionTableSize})", ProcNetIpVs.VersionLine());
        int ipvsadmServices = LabKernel.Run("ipvsadm", "-S -n").Split('\n').Count(l => l.StartsWith("-A ", StringComparison.Ordinal));
        Assert.Equal(ipvsadmServices, info.Services);
    }

    [Fact]
    public void Without_CAP_NET_ADMIN_Get_FusisInfo_is_PermissionDenied()
    {
        LabKernel.RequireIpvs();
        using var session = new PowerShellSession();
        IReadOnlyList<ErrorRecord> errors = [];

        Capabilities.RunWithout(Capabilities.NetAdmin, () => errors = session.Invoke("Get-FusisInfo").Errors);

        ErrorRecord error = Assert.Single(errors);
        Assert.Equal("PermissionDenied,Fusis.Commands.Commands.GetFusisInfoCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
    }

    [Fact]
    public void Get_FusisService_and_Get_FusisDestination_show_the_kernel_table_with_owned_names()
    {
        LabKernel.RequireIpvs();
        using var state = new TemporaryDesiredState();
        RoundTripCase every = RoundTripCases.All["every forwarding method and tunnel type"];
        var desired = new DesiredState([new DesiredService("web", every.Service with { Key = IpvsRoundTripTests.Key("198.18.60.1", 80) }, every.Destinations)], []);
        state.Save(desired);
        LabKernel.Run("ipvsadm", "-A -u 198.18.60.9:53 -s rr");
        LabKernel.Run("ipvsadm", "-a -u 198.18.60.9:53 -r 198.18.61.9:53 -m -w 4");
        try
        {
            using (IpvsClient kernel = IpvsClient.Open())
            {
                Assert.True(Reconciler.Reconcile(desired, kernel).Succeeded);
            }

            using var session = new PowerShellSession();
            (var services, IReadOnlyList<ErrorRecord> errors) = session.Invoke("Get-FusisService");
            (var listedDestinations, IReadOnlyList<ErrorRecord> destinationErrors) = session.Invoke("Get-FusisService | Get-FusisDestination");
            var destinations = listedDestinations.Select(o => Assert.IsType<FusisDestination>(o.BaseObject)).ToList();

            Assert.Empty(errors);
            Assert.Empty(destinationErrors);
            var web = Assert.Single(services.Select(o => Assert.IsType<FusisService>(o.BaseObject)), s => s.Name == "web");
            var dns = Assert.Single(services.Select(o => (FusisService)o.BaseObject), s => s.Service == "UDP 198.18.60.9:53");
            Assert.False(dns.Managed);
            Assert.Equal((every.Destinations.Length, "rr"), (web.Destinations, web.Scheduler));
            // every destination as ipvsadm lists it: address:port, forwarding, weight
            string listed = LabKernel.Run("ipvsadm", "-Ln");
            foreach (FusisDestination destination in destinations.Where(d => d.Service is "TCP 198.18.60.1:80" or "UDP 198.18.60.9:53"))
            {
                string forward = destination.ForwardingMethod switch { "nat" => "Masq", "route" => "Route", "tunnel" => "Tunnel", var other => other };
                Assert.Matches($@"-> {System.Text.RegularExpressions.Regex.Escape(destination.ToString())}\s+{forward}\s+{destination.Weight}\s", listed);
            }

            Assert.Equal(every.Destinations.Length + 1, destinations.Count(d => d.Service is "TCP 198.18.60.1:80" or "UDP 198.18.60.9:53"));
            (var json, IReadOnlyList<ErrorRecord> jsonErrors) = session.Invoke("Get-FusisService web | ConvertTo-Json");
            Assert.Empty(jsonErrors);
            Assert.Contains("\"Name\": \"web\"", (string)Assert.Single(json).BaseObject, StringComparison.Ordinal);
        }
        finally
        {
            LabKernel.Run("ipvsadm", "-D -t 198.18.60.1:80", check: false);
            LabKernel.Run("ipvsadm", "-D -u 198.18.60.9:53", check: false);
        }
    }

    [Fact]
    public void New_and_Remove_FusisService_write_the_kernel_as_ipvsadm_sees_it_and_refusals_leave_nothing()
    {
        LabKernel.RequireIpvs();
        using var state = new TemporaryDesiredState();
        try
        {
            using var session = new PowerShellSession();

            Assert.Empty(session.Invoke(
                "New-FusisService -Name labweb -Address 198.18.70.1 -Port 80 -Scheduler sh -SchedulerFlag Fallback, Port -PersistenceTimeout 120 -Netmask 255.255.0.0").Errors);
            Assert.Contains("-A -t 198.18.70.1:80 -s sh -p 120 -M 255.255.0.0 -b sh-fallback,sh-port", LabKernel.Run("ipvsadm", "-S -n"), StringComparison.Ordinal);

            ErrorRecord refused = Assert.Single(session.Invoke("New-FusisService -Name labbad -Address 198.18.70.2 -Port 80 -Scheduler nosuch").Errors);
            Assert.Equal("InvalidArgument,Fusis.Commands.Commands.NewFusisServiceCommand", refused.FullyQualifiedErrorId);
            Assert.DoesNotContain("198.18.70.2", LabKernel.Run("ipvsadm", "-S -n"), StringComparison.Ordinal);
            Assert.Equal(["labweb"], state.Saved.Services.Select(s => s.Name));

            Assert.Empty(session.Invoke("Remove-FusisService labweb -Confirm:$false").Errors);
            Assert.DoesNotContain("198.18.70.1", LabKernel.Run("ipvsadm", "-S -n"), StringComparison.Ordinal);
            Assert.Equal(DesiredState.Empty, state.Saved);
        }
        finally
        {
            LabKernel.Run("ipvsadm", "-D -t 198.18.70.1:80", check: false);
        }
    }

    [Fact]
    public void Destination_cmdlets_and_Set_FusisService_write_the_kernel_as_ipvsadm_sees_it()
    {
        LabKernel.RequireIpvs();
        using var state = new TemporaryDesiredState();
        try
        {
            using var session = new PowerShellSession();
            Assert.Empty(session.Invoke("""
                New-FusisService -Name labdst -Address 198.18.71.1 -Port 80 -Scheduler wrr
                New-FusisDestination -ServiceName labdst -Address 198.18.72.1 -Port 8080 -Weight 3 -UpperThreshold 100 -LowerThreshold 10
                Get-FusisService labdst | New-FusisDestination 198.18.72.2 -ForwardingMethod DirectRoute
                New-FusisDestination -ServiceName labdst -Address 198.18.72.3 -ForwardingMethod Tunnel -TunnelType Gue -TunnelPort 6080 -TunnelChecksum RemoteChecksum
                Get-FusisDestination labdst | Where-Object Address -eq 198.18.72.1 | Set-FusisDestination -Weight 0
                Set-FusisService labdst -Scheduler sh -SchedulerFlag Port
                """).Errors);

            string[] saved = LabKernel.Run("ipvsadm", "-S -n").Split('\n').Where(l => l.Contains("198.18.71.1:80", StringComparison.Ordinal)).ToArray();
            Assert.Equal(
                [
                    "-A -t 198.18.71.1:80 -s sh -b sh-port",
                    "-a -t 198.18.71.1:80 -r 198.18.72.1:8080 -m -w 0",
                    "-a -t 198.18.71.1:80 -r 198.18.72.2:80 -g -w 1",
                    "-a -t 198.18.71.1:80 -r 198.18.72.3:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-remcsum",
                ],
                saved);
            Assert.Matches(@"-> 198\.18\.72\.1:8080\s+100\s+10\s", LabKernel.Run("ipvsadm", "-Ln --thresholds"));

            // the kernel refuses a destination that is not unicast: the desired state is put back
            DesiredState before = state.Saved;
            ErrorRecord refused = Assert.Single(session.Invoke("New-FusisDestination -ServiceName labdst -Address 224.0.0.1").Errors);
            Assert.Equal("InvalidArgument,Fusis.Commands.Commands.NewFusisDestinationCommand", refused.FullyQualifiedErrorId);
            Assert.Equal(before, state.Saved);
            Assert.DoesNotContain("224.0.0.1", LabKernel.Run("ipvsadm", "-S -n"), StringComparison.Ordinal);

            Assert.Empty(session.Invoke("Get-FusisDestination labdst | Remove-FusisDestination -Confirm:$false").Errors);
            Assert.Equal(["-A -t 198.18.71.1:80 -s sh -b sh-port"],
                LabKernel.Run("ipvsadm", "-S -n").Split('\n').Where(l => l.Contains("198.18.71.1:80", StringComparison.Ordinal)));
            Assert.Empty(Assert.Single(state.Saved.Services).Destinations);
        }
        finally
        {
            LabKernel.Run("ipvsadm", "-D -t 198.18.71.1:80", check: false);
        }
    }
}
