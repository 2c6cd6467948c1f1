using System.Management.Automation;
using System.Net;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands.Tests;

/// <summary>The class-based DSC resources (dsc/Fusis.Dsc.psm1) over the cmdlets and the in-memory kernel: Reasons, Test, Set.</summary>
public sealed class DscResourceTests
{
    private static readonly IpvsServiceKey Web = IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse("198.18.0.1"), 80);

    internal static readonly string Module = Path.Combine(RepositoryRoot(), "dsc", "Fusis.Dsc.psm1");

    [Fact]
    public void A_missing_service_is_one_Ensure_reason_Set_creates_it_and_a_second_Set_writes_nothing()
    {
        using var host = new CmdletHost(DesiredState.Empty);

        string[] before = Reasons(host, "FusisService", "Name = 'web'; Address = '198.18.0.1'; Port = 80; Scheduler = 'rr'");
        Invoke(host, "FusisService", "Name = 'web'; Address = '198.18.0.1'; Port = 80; Scheduler = 'rr'", "$r.Set()");
        int writes = host.Kernel.Writes;
        Invoke(host, "FusisService", "Name = 'web'; Address = '198.18.0.1'; Port = 80; Scheduler = 'rr'", "$r.Set()");

        Assert.Equal(["FusisService:FusisService:Ensure"], before);
        Assert.Equal("rr", host.Kernel.GetService(Web)!.Scheduler);
        Assert.Equal(writes, host.Kernel.Writes);
        Assert.Empty(Reasons(host, "FusisService", "Name = 'web'; Address = '198.18.0.1'; Port = 80; Scheduler = 'rr'"));
    }

    [Fact]
    public void Each_drifted_property_is_a_reason_with_a_localized_phrase_and_Set_fixes_only_those()
    {
        using var host = new CmdletHost(DesiredState.Empty);
        Invoke(host, "FusisService", "Name = 'web'; Address = '198.18.0.1'; Port = 80; Scheduler = 'rr'", "$r.Set()");
        host.Kernel.Apply([IpvsOperation.UpdateService(host.Kernel.GetService(Web)! with { Scheduler = "sh", Flags = IpvsServiceFlags.OnePacket })]);
        // The kernel drifted behind Fusis's back: the desired state still says rr without one-packet.
        const string Wanted = "Name = 'web'; Address = '198.18.0.1'; Port = 80; Scheduler = 'rr'";

        var phrases = Invoke(host, "FusisService", Wanted, "$r.Get().Reasons | ForEach-Object { $_.Code + '|' + $_.Phrase }").Select(o => (string)o.BaseObject).ToList();
        int writes = host.Kernel.Writes;
        Invoke(host, "FusisService", Wanted, "$r.Set()");

        Assert.Equal(["FusisService:FusisService:Scheduler|Scheduler should be 'rr' but is 'sh'.", "FusisService:FusisService:OnePacket|OnePacket should be 'False' but is 'True'."], phrases);
        Assert.Equal(writes + 1, host.Kernel.Writes); // one in-place edit
        Assert.Equal(("rr", IpvsServiceFlags.None), (host.Kernel.GetService(Web)!.Scheduler, host.Kernel.GetService(Web)!.Flags));
    }

    [Fact]
    public void Scheduler_flags_and_netmask_are_managed_when_given()
    {
        using var host = new CmdletHost(DesiredState.Empty);
        const string Wanted = "Name = 'web'; Address = '198.18.0.1'; Port = 80; Scheduler = 'sh'; SchedulerFlag = @('Port', 'Fallback'); Netmask = '255.255.255.0'; PersistenceTimeout = 60";

        Invoke(host, "FusisService", Wanted, "$r.Set()");
        string[] inState = Reasons(host, "FusisService", Wanted);
        string[] drift = Reasons(host, "FusisService", "Name = 'web'; Address = '198.18.0.1'; Port = 80; Scheduler = 'sh'; SchedulerFlag = @(); PersistenceTimeout = 60");
        Invoke(host, "FusisService", "Name = 'web'; Address = '198.18.0.1'; Port = 80; Scheduler = 'sh'; SchedulerFlag = @(); PersistenceTimeout = 60", "$r.Set()");

        Assert.Empty(inState);
        Assert.Equal(["FusisService:FusisService:SchedulerFlag"], drift);
        Assert.Equal(IpvsServiceFlags.Persistent, host.Kernel.GetService(Web)!.Flags);
        Assert.Equal(0xFFFFFF00u, host.Kernel.GetService(Web)!.Netmask);
    }

    [Fact]
    public void Destinations_drift_and_converge_and_a_missing_service_is_a_clear_error()
    {
        using var host = new CmdletHost(DesiredState.Empty);
        const string Wanted = "ServiceName = 'web'; Address = '198.18.1.1'; Port = 8080; Weight = 3";

        (_, IReadOnlyList<ErrorRecord> missing) = host.Invoke(Script("FusisDestination", Wanted, "$r.Test()"));
        Invoke(host, "FusisService", "Name = 'web'; Address = '198.18.0.1'; Port = 80", "$r.Set()");
        Invoke(host, "FusisDestination", Wanted, "$r.Set()");
        Invoke(host, "FusisDestination", "ServiceName = 'web'; Address = '198.18.1.1'; Port = 8080; Weight = 5", "$r.Set()");
        string[] drift = Reasons(host, "FusisDestination", Wanted);
        Invoke(host, "FusisDestination", "ServiceName = 'web'; Address = '198.18.1.1'; Port = 8080; Ensure = 'Absent'", "$r.Set()");

        Assert.Contains("create it first", Assert.Single(missing).Exception.Message, StringComparison.Ordinal);
        Assert.Equal(["FusisDestination:FusisDestination:Weight"], drift);
        Assert.Empty(host.Kernel.GetDestinations(Web));
    }

    [Theory]
    [InlineData("FusisService", "Name = 'web'; Address = '198.18.0.300'; Port = 80", "is not an IPv4 or IPv6 address")]
    [InlineData("FusisService", "Name = 'web'; Address = '198.18.0.1'; Port = 70000", "a port is 1 to 65535")]
    [InlineData("FusisService", "Name = 'web'; Address = '198.18.0.1'; Port = 80; Scheduler = 'no such'", "scheduler name 'no such' is not valid")]
    [InlineData("FusisService", "Name = 'web'; Address = '198.18.0.1'; Port = 80; FirewallMark = 7", "a firewall-mark service has no address or port")]
    [InlineData("FusisDestination", "ServiceName = 'web'; Address = '198.18.1.1'; Port = 80; TunnelType = 'Gue'", "tunnel settings apply only to the tunnel forwarding method")]
    public void Invalid_properties_fail_Test_and_Set_before_any_change(string resource, string properties, string message)
    {
        using var host = new CmdletHost(DesiredState.Empty);

        foreach (string call in new[] { "$r.Test()", "$r.Set()" })
        {
            (_, IReadOnlyList<ErrorRecord> errors) = host.Invoke(Script(resource, properties, call));
            Assert.Contains(message, Assert.Single(errors).Exception.Message, StringComparison.Ordinal);
        }

        Assert.Equal(0, host.Kernel.Writes);
        Assert.Equal(DesiredState.Empty, host.Saved);
    }

    private static string[] Reasons(CmdletHost host, string resource, string properties) =>
        Invoke(host, resource, properties, "$r.Get().Reasons | ForEach-Object Code").Select(o => (string)o.BaseObject).ToArray();

    private static System.Collections.ObjectModel.Collection<PSObject> Invoke(CmdletHost host, string resource, string properties, string call)
    {
        (var output, IReadOnlyList<ErrorRecord> errors) = host.Invoke(Script(resource, properties, call));
        Assert.Empty(errors);
        return output;
    }

    // The resource class lives in the DSC module's scope; properties are "Name = 'x'; Port = 80".
    private static string Script(string resource, string properties, string call) =>
        $"Import-Module '{Module}'; & (Get-Module Fusis.Dsc) {{ $r = [{resource}]::new(); " +
        string.Join("; ", properties.Split(';', StringSplitOptions.TrimEntries).Select(p => $"$r.{p}")) + $"; try {{ {call} }} catch {{ Write-Error -ErrorRecord $_ }} }}";

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Fusis.slnx")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("the repository root (Fusis.slnx) is not above the test binaries");
    }
}
