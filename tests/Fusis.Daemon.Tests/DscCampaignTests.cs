using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Fusis.Core.Reconcile;
using Fusis.Core.State;
using Fusis.Daemon.Dsc;
using Fusis.TestSupport;

namespace Fusis.Daemon.Tests;

/// <summary>
/// A generated campaign of `fusis dsc` documents (#18) over the in-memory kernel: every operation on both resources,
/// properties drawn from the hardening campaign's defects, wrong JSON types, unknown properties and broken JSON. After
/// each run: an exit code DSC knows (0 to 3, never an exception), every output line JSON, a failure says why in a JSON
/// message and changed neither the kernel nor the saved state, a get, test or export changed nothing, and a set or
/// delete that succeeded left the kernel exactly as the saved state says. The seed is printed.
/// </summary>
public sealed class DscCampaignTests : IDisposable
{
    private const int Documents = 1_000;

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fusis-dsc-campaign-");
    private readonly MemoryIpvsKernel _kernel = new();

    private string StatePath => Path.Combine(_folder.FullName, "state.json");

    [Fact]
    public async Task A_thousand_generated_documents_keep_every_invariant()
    {
        string seed = ApiCampaign.Seed();
        var codes = new SortedDictionary<int, int>();
        int runs = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        void Check((string Operation, string Type, string Document) run)
        {
            string kernelBefore = ApiCampaign.Snapshot(_kernel);
            DesiredState savedBefore = ApiCampaign.Saved(StatePath);
            using var output = new StringWriter();
            using var messages = new StringWriter();
            int code = DscCommand.RunAsync([run.Operation, run.Type], new StringReader(run.Document), output, messages, () => new KernelView(_kernel), StatePath, Path.Combine(_folder.FullName, "no-daemon.sock"))
                .GetAwaiter().GetResult();
            runs++;
            codes[code] = codes.GetValueOrDefault(code) + 1;
            string what = $"dsc {run.Operation} {run.Type} {run.Document}";
            Assert.True(code is DscCommand.Success or DscCommand.Failed or DscCommand.InvalidInput, $"{what}: exit code {code}: {messages}");
            foreach (string line in output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                JsonDocument.Parse(line).Dispose();
            }

            if (code != DscCommand.Success)
            {
                Assert.Contains("\"error\"", messages.ToString(), StringComparison.Ordinal);
            }

            if (code != DscCommand.Success || run.Operation is "get" or "test" or "export")
            {
                Assert.True(kernelBefore == ApiCampaign.Snapshot(_kernel), $"{what} (exit {code}) changed the kernel: {messages}");
                Assert.True(savedBefore.Equals(ApiCampaign.Saved(StatePath)), $"{what} (exit {code}) changed the saved state: {messages}");
            }
            else
            {
                var plan = Reconciler.Preview(ApiCampaign.Saved(StatePath), _kernel);
                Assert.True(plan.Count == 0, $"{what} succeeded, yet the kernel is not the saved state: {string.Join("; ", plan)}");
            }
        }

        await Task.Run(() => Run.Sample(Check, seed: seed, iter: Documents, threads: 1, print: r => $"dsc {r.Operation} {r.Type} {r.Document}"), TestContext.Current.CancellationToken);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"dsc campaign: {runs} documents in {clock.Elapsed.TotalSeconds:0.0} s, seed {seed}, 0 invariant violations; exit codes {string.Join(", ", codes.Select(c => $"{c.Key} x{c.Value}"))}"));
        Assert.True(runs >= Documents);
        Assert.True(codes.ContainsKey(DscCommand.Success) && codes.Keys.Any(c => c != DscCommand.Success), "the campaign must both succeed and be refused");
    }

    public void Dispose() => _folder.Delete(recursive: true);

    // Half the documents valid throughout (null: the property left out), the other half three in four valid and
    // else hostile: wrong JSON types, values the kernel cannot hold, unknown properties.
    // The identity (the first three properties) is always there in the valid half.
    private static Gen<string> Document(params (string Name, object?[] Valid, object?[] Hostile)[] properties) =>
        Gen.Frequency(
            (1, Json(properties.Select((p, i) => (p.Name, i < 3, Gen.OneOf(p.Valid))))),
            (1, Json(properties.Select(p => (p.Name, false, Gen.Frequency((3, Gen.OneOf(p.Valid)), (1, Gen.OneOf(p.Hostile))))))));

    private static Gen<string> Json(IEnumerable<(string Name, bool Required, Gen<object?> Value)> properties)
    {
        Gen<ImmutableList<(string Name, object? Value)>> chosen = Gen.Const(ImmutableList<(string, object?)>.Empty);
        foreach ((string name, bool required, Gen<object?> value) in properties)
        {
            chosen = Gen.Select(chosen, Gen.Int[required ? 1 : 0, 2], value, (list, present, v) => present > 0 && v is not null ? list.Add((name, v)) : list);
        }

        return chosen.Select(list =>
        {
            var json = new JsonObject();
            foreach ((string name, object? value) in list)
            {
                json[name] = JsonValue.Create(value);
            }

            return json.ToJsonString();
        });
    }

    private static readonly object?[] Names = ["web", "api", "s1"];
    private static readonly object?[] BadNames = ["", "bad name", new string('a', 200), 7];
    private static readonly object?[] Ports = [80, 8080, 53];
    private static readonly object?[] BadPorts = [-1, 0, 65536, "80", 1.5];
    private static readonly object?[] Exist = [null, true, false];

    private static readonly Gen<string> Service = Document(
        ("name", Names, BadNames),
        ("address", ["198.18.0.1", "198.18.0.2", "fd00::1"], ["3323068417", "0xC6120001", "198.0x12.0.1", "fe80::1%eth0", "::", "256.1.1.1", "1.2.3", "", 5]),
        ("port", Ports, BadPorts),
        ("protocol", [null, "tcp", "udp", "sctp"], ["fwm", "icmp", "", 6]),
        ("firewallMark", [null], [0, 1, 4294967295, 4294967296, -1]),
        ("scheduler", [null, "rr", "wrr", "wlc", "sh", "mh"], ["foo", ""]),
        ("persistenceTimeout", [null, 0, 300, 4294967], [4294968, 17179870, 4294967296, -1]),
        ("onePacket", [null, false], [true, 1]),
        ("netmask", [null, "255.255.255.255"], ["255.255.255.0", "1.2.3", "255.0.255.0", "24", ""]),
        ("snat", [null, "off"], ["nonsense", "1.2.3.4.5", ""]), // none that is accepted: it would run nft on this host
        ("_exist", Exist, ["yes"]),
        ("colour", [null], ["blue"]));

    private static readonly Gen<string> Destination = Document(
        ("serviceName", Names, BadNames),
        ("address", ["198.18.1.1", "198.18.1.2", "fd00::11"], ["3323068673", "198.18.1.1%eth0", "1.2.3", ""]),
        ("port", Ports, BadPorts),
        ("weight", [null, 0, 1, 256, 65535], [-1, 65536, 2147483648L, "1"]),
        ("forwardingMethod", [null, "nat", "route", "tunnel"], ["ipip", "gre", "gue", "bogus", ""]),
        ("upperThreshold", [null, 0, 10], [4294967296, -1]),
        ("lowerThreshold", [null, 0], [10, -1]),
        ("tunnelType", [null], ["ipip", "gue", "gre", "vxlan", ""]),
        ("tunnelPort", [null], [0, 6080, 65536, -1]),
        ("tunnelChecksum", [null], ["none", "checksum", "remote", "bogus"]),
        ("_exist", Exist, ["yes"]));

    private static readonly Gen<(string Operation, string Type, string Document)> Run = Gen.Select(
        Gen.Frequency((3, Gen.Const("set")), (2, Gen.Const("test")), (2, Gen.Const("get")), (1, Gen.Const("delete")), (1, Gen.Const("export")), (1, Gen.Const("frobnicate"))),
        Gen.Frequency(
            (6, Service.Select(d => ("service", d))),
            (6, Destination.Select(d => ("destination", d))),
            (1, Gen.Select(Gen.OneOf("service", "destination"), Service, (t, d) => (t, d))), // a service's document as a destination's, or as its own
            (1, Gen.Select(Gen.OneOf("service", "destination"), Gen.OneOf("", "{", "null", "[]", "{\"name\":", "\"text\"", "{\"name\":\"web\",\"name\":\"api\"}"), (t, d) => (t, d)))),
        (operation, document) => (operation, document.Item1, document.Item2));

}
