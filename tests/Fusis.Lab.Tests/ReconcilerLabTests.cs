using Fusis.Core.Ipvsadm;
using Fusis.Core.Reconcile;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Lab.Tests;

/// <summary>Planning and applying against the real kernel: converge, stay idle when converged, repair drift, never touch what is not ours.</summary>
public sealed class ReconcilerLabTests
{
    private const string UnmanagedRules = "-A -t 198.18.0.200:80 -s rr\n-a -t 198.18.0.200:80 -r 198.18.9.9:80 -m -w 1\n";

    [Fact]
    public void Converges_then_writes_nothing_then_repairs_drift_and_leaves_unmanaged_services_alone()
    {
        using var ns = new LabNamespace();
        using IpvsClient ipvs = ns.OpenIpvs();
        ns.Ipvsadm("-R", stdin: UnmanagedRules);
        DesiredState desired = Desired();
        string[] expected = [.. ExpectedLines(desired), .. UnmanagedRules.Split('\n', StringSplitOptions.RemoveEmptyEntries)];

        ReconcileResult first = Reconciler.Reconcile(desired, ipvs);
        Assert.True(first.Succeeded);
        Assert.Equal(desired.Services.Sum(s => 1 + s.Destinations.Count), first.Results.Count);
        Assert.Equal(expected.Order(StringComparer.Ordinal), ns.IpvsadmSave());

        long sendsBefore = ipvs.Channel.Transport.SendCalls;
        ReconcileResult second = Reconciler.Reconcile(desired, ipvs);
        Assert.Empty(second.Results);
        // reads only: one services dump and one destinations dump per owned service
        Assert.Equal(1 + desired.Services.Count, ipvs.Channel.Transport.SendCalls - sendsBefore);

        // drift behind Fusis's back, in owned services and in the unmanaged one
        ns.Ipvsadm("-E -t 198.18.0.1:80 -s lc");
        ns.Ipvsadm("-e -t 198.18.0.1:80 -r 198.18.1.1:8080 -m -w 9");
        ns.Ipvsadm("-d -t 198.18.0.1:80 -r 198.18.1.2:80");
        ns.Ipvsadm("-a -t 198.18.0.1:80 -r 198.18.1.66:80 -g");
        ns.Ipvsadm("-D -f 7");
        ns.Ipvsadm("-e -t 198.18.0.200:80 -r 198.18.9.9:80 -m -w 5");

        Assert.Equal(
            [
                "update service TCP 198.18.0.1:80 (scheduler wrr)",
                "delete destination 198.18.1.66:80 from service TCP 198.18.0.1:80",
                "update destination 198.18.1.1:8080 of service TCP 198.18.0.1:80",
                "add destination 198.18.1.2:80 to service TCP 198.18.0.1:80",
                "add service FWM 7 (scheduler sh)",
                "add destination 198.18.1.9:0 to service FWM 7",
            ],
            Reconciler.Preview(desired, ipvs).Select(op => op.ToString()));
        Assert.True(Reconciler.Reconcile(desired, ipvs).Succeeded);
        Assert.Equal(
            expected.Select(l => l.Replace("198.18.9.9:80 -m -w 1", "198.18.9.9:80 -m -w 5", StringComparison.Ordinal)).Order(StringComparer.Ordinal),
            ns.IpvsadmSave());
        Assert.Empty(Reconciler.Preview(desired, ipvs));
    }

    [Fact]
    public void Retired_services_are_deleted_and_reported_gone()
    {
        using var ns = new LabNamespace();
        using IpvsClient ipvs = ns.OpenIpvs();
        DesiredState desired = Desired();
        Reconciler.Reconcile(desired, ipvs);
        IpvsServiceKey web = desired.Services[0].Key;
        var retiring = new DesiredState(desired.Services.Skip(1).ToList(), [web, IpvsServiceKey.ForFirewallMark(99)]);

        ReconcileResult result = Reconciler.Reconcile(retiring, ipvs);

        Assert.Equal([IpvsOperationKind.DeleteService], result.Results.Select(r => r.Operation.Kind));
        Assert.Equal([web, IpvsServiceKey.ForFirewallMark(99)], result.RetiredGone);
        Assert.DoesNotContain(ns.IpvsadmSave(), l => l.Contains("198.18.0.1:80", StringComparison.Ordinal));
    }

    private static DesiredState Desired()
    {
        RoundTripCase every = RoundTripCases.All["every forwarding method and tunnel type"];
        RoundTripCase mark = RoundTripCases.All["firewall mark with sh flags and direct-routing destinations"];
        RoundTripCase sip = RoundTripCases.All["sip persistence engine"];
        return new DesiredState(
        [
            new DesiredService("web", every.Service with { Scheduler = "wrr" }, every.Destinations),
            new DesiredService("marked", mark.Service, mark.Destinations.Take(1).ToList()),
            new DesiredService("sip", sip.Service, []),
        ], []);
    }

    private static IEnumerable<string> ExpectedLines(DesiredState desired) =>
        IpvsadmRules.Write(new IpvsTable(desired.Services.Select(s => new IpvsTableService(s.Service, s.Destinations)).ToList()))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
