using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using CsCheck;
using Fusis.Core;
using Fusis.Core.Reconcile;
using Fusis.Core.State;
using Fusis.TestSupport;

namespace Fusis.Commands.Tests;

/// <summary>
/// A generated campaign of cmdlet calls (#18) over the in-memory kernel: every changing cmdlet with parameter values
/// drawn from the hardening campaign's defects (loose address forms, zones, masks, values the kernel cannot hold,
/// wrong types). After each call: every error has a stable id (a Fusis error code, or PowerShell's own parameter
/// binding ids), an error changed neither the kernel nor the saved state, and a call without errors left the kernel
/// exactly as the saved state says (a reconcile plans nothing). The seed is printed; FUSISTEST_CAMPAIGN_SEED repeats it.
/// </summary>
public sealed class CmdletCampaignTests
{
    private const int Calls = 2_000;

    // PowerShell's ids for arguments it cannot bind, stable across its versions.
    private static readonly HashSet<string> BindingIds = new(StringComparer.Ordinal)
    {
        "ParameterArgumentTransformationError", "ParameterArgumentValidationError", "CannotConvertArgumentNoMessage", "MissingArgument",
        "MissingMandatoryParameter", "NamedParameterNotFound", "PositionalParameterNotFound", "AmbiguousParameterSet", "CannotConvertArgument",
    };

    private static readonly HashSet<string> FusisCodes = [.. Enum.GetNames<FusisErrorCode>()];

    [Fact]
    public async Task Two_thousand_generated_cmdlet_calls_give_stable_error_ids_and_change_nothing_when_refused()
    {
        using var host = new CmdletHost(DesiredState.Empty);
        string seed = ApiCampaign.Seed();
        var ids = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int calls = 0, accepted = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        void Check(string script)
        {
            string kernelBefore = Snapshot(host);
            DesiredState savedBefore = host.Saved;
            IReadOnlyList<ErrorRecord> errors;
            try
            {
                (Collection<PSObject> _, errors) = host.Invoke(script);
            }
            catch (RuntimeException e)
            {
                errors = [e.ErrorRecord];
            }

            calls++;
            foreach (ErrorRecord error in errors)
            {
                string id = error.FullyQualifiedErrorId.Split(',')[0];
                Assert.True(FusisCodes.Contains(id) || BindingIds.Contains(id), $"'{script}': unstable error id {error.FullyQualifiedErrorId}: {error.Exception.Message}");
                ids[id] = ids.GetValueOrDefault(id) + 1;
            }

            if (errors.Count > 0)
            {
                Assert.True(kernelBefore == Snapshot(host), $"'{script}' was refused ({errors[0].FullyQualifiedErrorId}) and changed the kernel");
                Assert.True(savedBefore.Equals(host.Saved), $"'{script}' was refused ({errors[0].FullyQualifiedErrorId}) and changed the saved state");
            }
            else
            {
                accepted++;
                var plan = Reconciler.Preview(host.Saved, host.Kernel);
                Assert.True(plan.Count == 0, $"'{script}' succeeded, yet the kernel is not the saved state: {string.Join("; ", plan)}");
            }
        }

        await Task.Run(() => Script.Sample(Check, seed: seed, iter: Calls, threads: 1), TestContext.Current.CancellationToken);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cmdlet campaign: {calls} calls in {clock.Elapsed.TotalSeconds:0.0} s, seed {seed}, {accepted} accepted, 0 invariant violations; error ids {string.Join(", ", ids.Select(i => $"{i.Key} x{i.Value}"))}"));
        Assert.True(calls >= Calls);
        Assert.True(accepted > 0 && ids.Count > 0, "the campaign must both change and be refused");
    }

    // Set-FusisTimeout is among the calls: the timeouts too.
    private static string Snapshot(CmdletHost host) => $"{host.Kernel.GetTimeouts()}\n{ApiCampaign.Snapshot(host.Kernel)}";

    // A PowerShell single-quoted literal.
    private static string Quote(string value) => $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";

    // Four times in five a valid value, else a hostile one.
    private static Gen<string> Mostly(string[] valid, string[] hostile) => Gen.Frequency((4, Gen.OneOf(valid)), (1, Gen.OneOf(hostile)));

    private static Gen<string> Optional(string name, string[] valid, string[] hostile) =>
        Gen.Select(Gen.Int[0, 2], Mostly(valid, hostile), (present, value) => present == 0 ? $" -{name} {value}" : string.Empty);

    private static readonly Gen<string> Name = Mostly(["'web'", "'api'", "'s1'"], [.. new[] { "bad name", "", "x'y", new string('a', 200), "wéb" }.Select(Quote)]);
    private static readonly Gen<string> Address = Mostly(["'198.18.0.1'", "'198.18.0.2'", "'198.18.0.3'", "'fd00::1'"],
        [.. new[] { "3323068417", "0xC6120001", "198.0x12.0.1", "fe80::1%eth0", "::", "0.0.0.0", "256.1.1.1", "1.2.3", "224.0.0.1", " 198.18.0.1", "" }.Select(Quote)]);
    private static readonly Gen<string> Destination = Mostly(["'198.18.1.1'", "'198.18.1.2'", "'fd00::11'"],
        [.. new[] { "3323068673", "198.18.1.1%eth0", "1.2.3", "" }.Select(Quote)]);
    private static readonly Gen<string> Port = Mostly(["80", "8080", "53"], ["-1", "0", "65536", "2147483648", "'http'", "1.5"]);
    private static readonly string[] Schedulers = ["rr", "wrr", "wlc", "sh", "mh"];
    private static readonly string[] BadSchedulers = ["foo", "''", "'rr rr'"];
    private static readonly string[] Timeouts = ["0", "300", "4294967"];
    private static readonly string[] BadTimeouts = ["4294968", "17179870", "4294967295", "4294967296", "-1", "'5m'"];
    private static readonly string[] Netmasks = ["'255.255.255.255'"];
    private static readonly string[] BadNetmasks = [.. new[] { "255.255.255.0", "1.2.3", "255.0.255.0", "24", "" }.Select(Quote)];
    // No SNAT the cmdlets would accept: on this host it would run nft against the host's own rule set.
    private static readonly string[] Snats = ["off"];
    private static readonly string[] BadSnats = ["'nonsense'", "'1.2.3.4.5'", "''"];
    private static readonly string[] Weights = ["0", "1", "256", "65535"];
    private static readonly string[] BadWeights = ["-1", "65536", "2147483648", "'x'"];
    private static readonly string[] Modes = ["nat", "route", "tunnel", "ipip", "gre", "gre/checksum", "gue/6080"];
    private static readonly string[] BadModes = ["gue/0", "'gue/70000'", "bogus", "''"];
    private static readonly string[] Thresholds = ["0", "10"];
    private static readonly string[] BadThresholds = ["4294967296", "-1"];
    private static readonly string[] Seconds = ["1", "30", "2147483", "'1.00:00:00'"];
    private static readonly string[] BadSeconds = ["2147484", "0", "-5", "0.5", "'24.20:31:24'", "'soon'"];
    private static readonly string[] Protocols = ["Tcp", "Udp", "Sctp"];
    private static readonly string[] BadProtocols = ["Icmp", "''"];

    private static readonly Gen<string> Script = Gen.Frequency(
        (4, Gen.Select(Name, Address, Port,
            Gen.Select(Optional("Protocol", Protocols, BadProtocols), Optional("Scheduler", Schedulers, BadSchedulers), Optional("PersistenceTimeout", Timeouts, BadTimeouts),
                Optional("Netmask", Netmasks, BadNetmasks), Optional("Snat", Snats, BadSnats), (a, b, c, d, e) => a + b + c + d + e),
            (n, a, p, rest) => $"New-FusisService -Name {n} -Address {a} -Port {p}{rest}")),
        (2, Gen.Select(Name,
            Gen.Select(Optional("Scheduler", Schedulers, BadSchedulers), Optional("PersistenceTimeout", Timeouts, BadTimeouts), Optional("Netmask", Netmasks, BadNetmasks),
                Optional("Snat", Snats, BadSnats), (a, b, c, d) => a + b + c + d),
            (n, rest) => $"Set-FusisService -Name {n}{rest}")),
        (5, Gen.Select(Name, Destination, Port,
            Gen.Select(Optional("Weight", Weights, BadWeights), Optional("ForwardingMethod", Modes, BadModes), Optional("UpperThreshold", Thresholds, BadThresholds),
                Optional("LowerThreshold", Thresholds, BadThresholds), (a, b, c, d) => a + b + c + d),
            (n, a, p, rest) => $"New-FusisDestination -ServiceName {n} -Address {a} -Port {p}{rest}")),
        (2, Gen.Select(Name, Destination, Port,
            Gen.Select(Optional("Weight", Weights, BadWeights), Optional("ForwardingMethod", Modes, BadModes), Optional("UpperThreshold", Thresholds, BadThresholds), (a, b, c) => a + b + c),
            (n, a, p, rest) => $"Set-FusisDestination -ServiceName {n} -Address {a} -Port {p}{rest}")),
        (1, Gen.Select(Name, Destination, Port, (n, a, p) => $"Remove-FusisDestination -ServiceName {n} -Address {a} -Port {p} -Confirm:$false")),
        (1, Name.Select(n => $"Remove-FusisService -Name {n} -Confirm:$false")),
        (1, Gen.Select(Optional("Tcp", Seconds, BadSeconds), Optional("TcpFin", Seconds, BadSeconds), Optional("Udp", Seconds, BadSeconds), (a, b, c) => $"Set-FusisTimeout{a}{b}{c}")),
        (1, Gen.Select(Name, Optional("NewName", ["'renamed'"], ["'bad name'", "''"]), (n, rename) => $"Set-FusisService -Name {n}{rename}")),
        (1, Name.Select(n => $"Get-FusisService -Name {n} | Out-Null; Get-FusisDestination -ServiceName {n} | Out-Null")));
}
