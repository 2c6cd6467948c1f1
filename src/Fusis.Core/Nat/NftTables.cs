using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Fusis.Core.State;
using Microsoft.Win32.SafeHandles;

namespace Fusis.Core.Nat;

/// <summary>
/// SNAT in nftables through Debian's <c>nft</c> (JSON in on its stdin, JSON out): tables <c>ip fusis</c> and
/// <c>ip6 fusis</c>, each with one nat chain at the srcnat priority of postrouting, written whole in one transaction
/// (add, delete, add: atomic, and an absent table is no error). Sets <c>net.ipv4.vs.conntrack=1</c> while rules exist: IPVS keeps no conntrack
/// entries without it, and nftables' NAT needs them. Runs nft in the network namespace of the thread that created
/// it (the engine's loop runs on another thread).
/// </summary>
public sealed class NftTables : INatTables, IDisposable
{
    public const string TableName = "fusis";
    public const string ChainName = "postrouting";
    private const string ConntrackSysctl = "/proc/sys/net/ipv4/vs/conntrack";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly string[] Families = ["ip", "ip6"];
    private static readonly string[] Locations = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"];

    private readonly Action<string> _log;
    private readonly string _nft;
    private readonly SafeFileHandle? _namespace;
    private bool _available;

    private NftTables(string nft, SafeFileHandle? ns, Action<string> log)
    {
        _nft = nft;
        _namespace = ns;
        _log = log;
    }

    /// <summary>For the network namespace of the calling thread; <paramref name="log"/> hears what it changes outside its tables.</summary>
    public static NftTables ForThisThread(Action<string>? log = null)
    {
        string nft = Locations.FirstOrDefault(File.Exists) ?? Locations[0];
        SafeFileHandle? ns = null;
        if (new FileInfo("/proc/thread-self/ns/net").LinkTarget != new FileInfo("/proc/self/ns/net").LinkTarget)
        {
            ns = File.OpenHandle("/proc/thread-self/ns/net"); // held open: nsenter enters it through /proc/<pid>/fd
        }

        return new NftTables(nft, ns, log ?? (_ => { }));
    }

    public void EnsureAvailable()
    {
        if (_available)
        {
            return;
        }

        if (!File.Exists(_nft))
        {
            throw Unavailable("SNAT needs nftables, and nft is not installed: install the Debian package nftables (apt install nftables)");
        }

        (int code, _, string error) = Run(["-j", "list", "tables"], null);
        if (code != 0)
        {
            throw Unavailable($"SNAT needs nftables, and the kernel refused it (is the nf_tables module available? modprobe nf_tables): {error.Trim()}");
        }

        _available = true;
    }

    public void Apply(IReadOnlyList<SnatRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        EnsureAvailable();
        if (rules.Count > 0)
        {
            EnableConntrack();
        }

        // Not "-f -": nft opens /dev/stdin for that, which minimal systems (and the lab) lack; /proc always has it.
        (int code, _, string error) = Run(["-j", "-f", "/proc/self/fd/0"], Document(rules));
        if (code != 0)
        {
            throw Unavailable($"nft refused Fusis's SNAT tables (nothing was applied): {error.Trim()}");
        }
    }

    public string? Read()
    {
        EnsureAvailable();
        var tables = new StringBuilder();
        foreach (string family in Families)
        {
            (int code, string output, string error) = Run(["-j", "list", "table", family, TableName], null);
            if (code != 0)
            {
                if (error.Contains("No such file or directory", StringComparison.Ordinal))
                {
                    continue; // no table of this family
                }

                throw Unavailable($"nft cannot list table {family} {TableName}: {error.Trim()}");
            }

            tables.Append(family).Append(':').Append(Fingerprint(output)).Append('\n');
        }

        return tables.Length == 0 ? null : tables.ToString();
    }

    public void Dispose() => _namespace?.Dispose();

    /// <summary>The nft JSON document that replaces both tables with <paramref name="rules"/>.</summary>
    public static string Document(IReadOnlyList<SnatRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var commands = new JsonArray();
        foreach (string family in Families)
        {
            var table = new JsonObject { ["family"] = family, ["name"] = TableName };
            commands.Add(Command("add", "table", table.DeepClone()));
            commands.Add(Command("delete", "table", table.DeepClone()));
            SnatRule[] mine = [.. rules.Where(r => FamilyOf(r) == family)];
            if (mine.Length == 0)
            {
                continue;
            }

            commands.Add(Command("add", "table", table.DeepClone()));
            commands.Add(Command("add", "chain", new JsonObject
            {
                ["family"] = family, ["table"] = TableName, ["name"] = ChainName,
                ["type"] = "nat", ["hook"] = "postrouting", ["prio"] = 100, ["policy"] = "accept",
            }));
            foreach (SnatRule rule in mine)
            {
                commands.Add(Command("add", "rule", Rule(family, rule)));
            }
        }

        return new JsonObject { ["nftables"] = commands }.ToJsonString();
    }

    private static JsonObject Rule(string family, SnatRule rule)
    {
        JsonNode destinations = rule.Destinations.Count == 1
            ? JsonValue.Create(rule.Destinations[0].ToString())
            : new JsonObject { ["set"] = new JsonArray([.. rule.Destinations.Select(a => (JsonNode)JsonValue.Create(a.ToString()))]) };
        JsonObject statement = rule.Setting.Kind == SnatKind.Masquerade
            ? new JsonObject { ["masquerade"] = null }
            : new JsonObject { ["snat"] = new JsonObject { ["addr"] = rule.Setting.Address!.ToString() } };
        return new JsonObject
        {
            ["family"] = family, ["table"] = TableName, ["chain"] = ChainName,
            ["comment"] = $"fusis service {rule.Service}",
            ["expr"] = new JsonArray(
                Match(new JsonObject { ["meta"] = new JsonObject { ["key"] = "l4proto" } }, JsonValue.Create(Vocabulary.Words.Protocols.Word(rule.Key.Protocol))),
                Match(new JsonObject { ["ct"] = new JsonObject { ["key"] = "daddr", ["family"] = family, ["dir"] = "original" } }, JsonValue.Create(rule.Key.Address.ToString())),
                Match(new JsonObject { ["ct"] = new JsonObject { ["key"] = "proto-dst", ["dir"] = "original" } }, JsonValue.Create((int)rule.Key.Port)),
                Match(new JsonObject { ["payload"] = new JsonObject { ["protocol"] = family, ["field"] = "daddr" } }, destinations),
                new JsonObject { ["counter"] = null },
                statement),
        };
    }

    private static JsonObject Match(JsonNode left, JsonNode? right) =>
        new() { ["match"] = new JsonObject { ["op"] = "==", ["left"] = left, ["right"] = right } };

    private static JsonObject Command(string verb, string kind, JsonNode body) => new() { [verb] = new JsonObject { [kind] = body } };

    private static string FamilyOf(SnatRule rule) => rule.Key.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6" : "ip";

    // The listing without what changes on its own: nft's metainfo, handles, and counters' values.
    private static string Fingerprint(string json)
    {
        JsonNode? root = JsonNode.Parse(json);
        if (root?["nftables"] is not JsonArray items)
        {
            return json;
        }

        foreach (JsonNode? item in items.ToList())
        {
            if (item is JsonObject o && o.ContainsKey("metainfo"))
            {
                items.Remove(item);
            }
        }

        Strip(root);
        return root.ToJsonString();
    }

    private static void Strip(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                o.Remove("handle");
                if (o["counter"] is JsonObject counter)
                {
                    counter.Remove("packets");
                    counter.Remove("bytes");
                }

                foreach (KeyValuePair<string, JsonNode?> child in o.ToList())
                {
                    Strip(child.Value);
                }

                break;
            case JsonArray a:
                foreach (JsonNode? child in a)
                {
                    Strip(child);
                }

                break;
        }
    }

    private void EnableConntrack()
    {
        try
        {
            if (File.ReadAllText(ConntrackSysctl).Trim() != "1")
            {
                File.WriteAllText(ConntrackSysctl, "1");
                _log("set net.ipv4.vs.conntrack=1: SNAT of IPVS connections needs their conntrack entries");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unavailable($"SNAT needs net.ipv4.vs.conntrack=1 and it cannot be set ({ConntrackSysctl}: {e.Message})");
        }
    }

    private (int Code, string Output, string Error) Run(string[] arguments, string? input)
    {
        var start = new ProcessStartInfo(_namespace is null ? _nft : "nsenter")
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (_namespace is not null)
        {
            start.ArgumentList.Add($"--net=/proc/{Environment.ProcessId}/fd/{_namespace.DangerousGetHandle()}");
            start.ArgumentList.Add(_nft);
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("no process");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw Unavailable($"SNAT needs nftables, and {start.FileName} cannot be run ({e.Message}): install the Debian package nftables (apt install nftables)");
        }

        using (process)
        {
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> error = process.StandardError.ReadToEndAsync();
            if (input is not null)
            {
                process.StandardInput.Write(input);
                process.StandardInput.Close();
            }

            if (!process.WaitForExit(Timeout))
            {
                process.Kill();
                throw Unavailable($"nft did not finish within {Timeout.TotalSeconds:0} s");
            }

            return (process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
        }
    }

    private static FusisException Unavailable(string message) => new(FusisErrorCode.NatUnavailable, message);
}
