using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;

namespace Fusis.TestSupport;

/// <summary>
/// One generated request of the bad-input campaign (#18). Most go to a real route with a body whose fields are mostly
/// valid, so that services, destinations and checks accumulate and later requests meet them; each field is otherwise
/// one of the values the hardening campaign found defects with (loose address forms, zones, non-contiguous masks,
/// values the kernel cannot hold, wrong JSON types). Some requests are broken JSON, bodies over the limit, or any method
/// on any path. No value that would be accepted turns SNAT on: on a host, that would run nft against its own rules.
/// </summary>
public sealed record CampaignRequest(string Method, string Path, bool DryRun, string? Body)
{
    private static readonly string[] GoodNames = ["web", "api", "s1", "s2"];
    private static readonly string[] BadNames = ["", "bad name", "web%2F..%2Fx", new string('a', 300), "wéb", "web.1"];

    private static readonly object?[] GoodAddresses = [null, "", "198.18.0.1", "198.18.0.2", "198.18.0.3", "198.18.100.7", "fd00::1", "fd00::2"];
    private static readonly object?[] BadAddresses = ["3323068417", "0xC6120001", "198.0x12.0.1", "fe80::1%eth0", "::", "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3", "fd00::1/64", " 198.18.0.1", "224.0.0.1", 7, true];
    private static readonly object?[] BadPorts = [-1, 0, 65536, int.MaxValue, "80", 1.5];
    private static readonly object?[] GoodProtocols = [null, "tcp", "udp", "sctp"];
    private static readonly object?[] BadProtocols = ["", "fwm", "icmp", "TCP", 6];
    private static readonly object?[] GoodSchedulers = [null, "rr", "wrr", "wlc", "lc", "sh", "mh"];
    private static readonly object?[] BadSchedulers = ["", "foo", "RR", "rr rr", 1];
    private static readonly object?[] GoodPersistents = [null, 0, 300, 4294967];
    private static readonly object?[] BadPersistents = [4294968, 17179870, 2147483647, 4294967296, -1, "300", 1e20];
    private static readonly object?[] GoodNetmasks = [null, "255.255.255.0", "255.255.255.255", "24"];
    private static readonly object?[] BadNetmasks = ["", "1.2.3", "255.0.255.0", "/24", "ffff::", 24];
    private static readonly object?[] GoodSnats = [null, "off"];
    private static readonly object?[] BadSnats = ["", "nonsense", "1.2.3.4.5", "fe80::1%eth0", 1];
    private static readonly object?[] GoodModes = [null, "", "nat", "route", "tunnel", "ipip", "gre", "gre/checksum", "gue/6080"];
    private static readonly object?[] BadModes = ["gue/0", "gue/70000", "bogus", 3];
    private static readonly object?[] GoodWeights = [null, 0, 1, 5, 256, 65535];
    private static readonly object?[] BadWeights = [-1, 65536, int.MaxValue, "1", 1.5];
    private static readonly object?[] GoodThresholds = [null, 0, 10];
    private static readonly object?[] BadThresholds = [4294967296, -1, "10"];
    private static readonly object?[] GoodDurations = [null, 0, 0.5, 5, "500ms", "2s", "1m", "00:00:02"];
    private static readonly object?[] BadDurations = [-5, 86401, 9223372036854775808d, "Infinitys", "1e300s", "2d", "soon", ""];
    private static readonly object?[] GoodCounts = [null, 1, 2, 3];
    private static readonly object?[] BadCounts = [0, 101, -1, "2"];
    private static readonly string[] Raw = ["", "{", "null", "[]", "{\"Name\":", "\"text\"", "{\"Name\":\"web\",\"Name\":\"api\"}", "{\"Port\":1e400}"];

    // On an emulated host a loopback server can miss a sub-second timeout, and a check that fails on time takes its
    // destination down between a request's two snapshots, as if the request had: there, the valid timeouts are a
    // second or more (the default is 1 s) and a destination goes down only after two failures in a row.
    private static readonly object?[] SlowHostTimeouts = [null, 1, 2, 5, "2s", "00:00:02"];
    private static readonly object?[] SlowHostFalls = [null, 2, 3];

    /// <summary>
    /// Requests whose destinations and check ports, when valid, are the loopback servers on <paramref name="backendPorts"/>;
    /// <paramref name="slowHost"/>: checks a loopback server answers in time even under emulation.
    /// </summary>
    public static Gen<CampaignRequest> Gen(int[] backendPorts, bool slowHost = false)
    {
        ArgumentNullException.ThrowIfNull(backendPorts);
        object?[] ports = [.. backendPorts.Cast<object?>()];
        Gen<JsonObject> destination = Fields(
            ("Name", [null, "", "d1", "b1"], ["bad name", 7]),
            ("Address", ["127.0.0.1", "::1"], [null, "", "3323068417", "127.1", "fe80::1%lo", "1.2.3", "198.18.1.1%eth0", 5]),
            ("Host", [null], ["", "127.0.0.1", "::1"]),
            ("Port", ports, [null, 0, 65536, -1, "80"]),
            ("Weight", GoodWeights, BadWeights),
            ("Mode", GoodModes, BadModes),
            ("UpperThreshold", GoodThresholds, BadThresholds),
            ("LowerThreshold", GoodThresholds, BadThresholds),
            ("TunnelType", [null], ["", "ipip", "gue", "gre", "vxlan"]),
            ("TunnelPort", [null], [0, 6080, 65536, -1]),
            ("TunnelChecksum", [null], ["", "none", "checksum", "remote", "bogus"]),
            ("ServiceId", [null], ["", "web", "other"]));
        Gen<JsonObject> service = Fields(
            ("Name", [.. GoodNames], [null, .. BadNames]),
            ("Address", GoodAddresses, BadAddresses),
            ("Host", [null], GoodAddresses.Concat(BadAddresses).ToArray()),
            ("Port", ports, BadPorts), // a destination without a port takes the service's: one of the servers too
            ("Protocol", GoodProtocols, BadProtocols),
            ("FirewallMark", [null], [0, 1, 4294967295, 4294967296, -1]),
            ("AddressFamily", [null], ["", "ipv4", "ipv6", "inet"]),
            ("Scheduler", GoodSchedulers, BadSchedulers),
            ("Mode", GoodModes, BadModes),
            ("Persistent", GoodPersistents, BadPersistents),
            ("Netmask", GoodNetmasks, BadNetmasks),
            ("PersistenceEngine", [null], ["", "sip", "nope"]),
            ("OnePacket", [null, false], [true, "yes"]),
            ("Snat", GoodSnats, BadSnats));
        Gen<JsonObject> serviceWithDestinations = CsCheck.Gen.Select(service, destination.Array[0, 3], CsCheck.Gen.Int[0, 3], (s, d, with) =>
        {
            if (with == 0)
            {
                s["Destinations"] = new JsonArray([.. d]);
            }

            return s;
        });
        Gen<JsonObject> check = Fields(
            ("ServiceID", [null, "web"], [""]),
            ("Type", [null, "tcp", "http"], ["", "icmp", "HTTP", 1]),
            ("HttpPath", [null, "", "/", "/healthz"], ["healthz"]),
            ("Path", [null, "/"], ["/x?y=1", 5]),
            ("ExpectedStatus", [null, "200", "200-399", "100-599"], ["", "300-200", "bad", "200-"]),
            ("Port", [null, .. ports], [0, 70000, -1]),
            ("Interval", GoodDurations, BadDurations),
            ("Timeout", slowHost ? SlowHostTimeouts : GoodDurations, BadDurations),
            ("Rise", GoodCounts, BadCounts),
            ("Fall", slowHost ? SlowHostFalls : GoodCounts, BadCounts),
            ("Action", [null, "remove", "weight0"], ["", "explode"]));

        Gen<string> name = Mostly(GoodNames, BadNames).Select(Uri.EscapeDataString);
        Gen<string> destinationId = CsCheck.Gen.Select(
            Mostly(["127.0.0.1:{0}", "[::1]:{0}", "d1", "b1"], ["nosuch", "127.0.0.1%3A99999", "", "198.18.1.1:{0}"]), CsCheck.Gen.OneOf(backendPorts),
            (d, p) => Uri.EscapeDataString(string.Format(CultureInfo.InvariantCulture, d, p)));
        // Never a service's shape on a destination route: its addresses are not loopback servers, and a check would
        // probe them. A destination's shape elsewhere is safe: its addresses are.
        Gen<string?> anyBody = CsCheck.Gen.Frequency(
            (3, destination.Select(o => (string?)o.ToJsonString())),
            (2, check.Select(o => (string?)o.ToJsonString())),
            (2, CsCheck.Gen.OneOf(Raw).Select(r => (string?)r)),
            (1, CsCheck.Gen.Const((string?)$$"""{"Name":"big","Scheduler":"{{new string('x', 5000)}}"}""")),
            (1, CsCheck.Gen.Const((string?)null)));
        Gen<string?> Body(Gen<JsonObject> shape) =>
            CsCheck.Gen.Frequency((8, shape.Select(o => (string?)o.ToJsonString())), (1, anyBody));

        // (weight, method, path, body): the routes, mostly with their own body shape; then anything on anything.
        Gen<(string Method, string Path, string? Body)> Route(string method, Gen<string> path, Gen<string?> body) =>
            CsCheck.Gen.Select(path, body, (p, b) => (method, p, b));
        Gen<string?> none = CsCheck.Gen.Const((string?)null);
        Gen<(string Method, string Path, string? Body)> route = CsCheck.Gen.Frequency<(string Method, string Path, string? Body)>(
            (6, Route("POST", CsCheck.Gen.Const("/services"), Body(serviceWithDestinations))),
            (6, Route("POST", name.Select(n => $"/services/{n}/destinations"), Body(destination))),
            (2, Route("PATCH", name.Select(n => $"/services/{n}"), Body(service))),
            (1, Route("PUT", name.Select(n => $"/services/{n}"), Body(serviceWithDestinations))),
            (2, Route("PATCH", CsCheck.Gen.Select(name, destinationId, (n, d) => $"/services/{n}/destinations/{d}"), Body(destination))),
            (1, Route("DELETE", CsCheck.Gen.Select(name, destinationId, (n, d) => $"/services/{n}/destinations/{d}"), none)),
            (1, Route("POST", CsCheck.Gen.Select(name, destinationId, CsCheck.Gen.OneOf("drain", "undrain"), (n, d, a) => $"/services/{n}/destinations/{d}/{a}"), none)),
            (1, Route("DELETE", name.Select(n => $"/services/{n}"), none)),
            (2, Route("POST", name.Select(n => $"/services/{n}/check"), Body(check))),
            (1, Route("DELETE", name.Select(n => $"/services/{n}/check"), none)),
            (1, Route("POST", name.Select(n => $"/services/{n}/converge"), none)),
            (1, Route("PUT", CsCheck.Gen.Const("/configuration"), CsCheck.Gen.Frequency((1, anyBody), (1, serviceWithDestinations.Select(o => (string?)$"{{\"Version\":3,\"Services\":[{o.ToJsonString()}]}}"))))),
            (1, Route("POST", CsCheck.Gen.Const("/snat/rewrite"), none)),
            (3, Route("GET", CsCheck.Gen.OneOf("/services", "/health", "/metrics", "/members", "/cluster", "/status", "/status?problems=true&size=3", "/").SelectMany(p => name.Select(n => p == "/services" && n.Length % 2 == 0 ? $"/services/{n}" : p)), none)),
            (1, Route("HEAD", CsCheck.Gen.OneOf("/services", "/health", "/metrics"), none)),
            (2, CsCheck.Gen.Select(CsCheck.Gen.OneOf("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"),
                CsCheck.Gen.OneOf("/services", "/health", "/metrics", "/members", "/cluster", "/snat/rewrite", "/configuration", "/nothing/here", "/services/web/check", "/services/web/destinations"),
                anyBody, (m, p, b) => (m, p, m is "GET" or "HEAD" ? null : b))));
        return CsCheck.Gen.Select(route, CsCheck.Gen.Int[0, 5], (r, dry) => new CampaignRequest(r.Method, r.Path, dry == 0, r.Body));
    }

    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), new Uri(DryRun ? $"{Path}?dryRun=true" : Path, UriKind.Relative));
        if (Body is not null)
        {
            message.Content = new StringContent(Body, Encoding.UTF8, "application/json");
        }

        return message;
    }

    public override string ToString() => $"{Method} {Path}{(DryRun ? "?dryRun=true" : string.Empty)} {Body}";

    // Three times in four a valid value (null: the field left out), else a hostile one.
    private static Gen<T> Mostly<T>(T[] valid, T[] hostile) =>
        CsCheck.Gen.Frequency((3, CsCheck.Gen.OneOf(valid)), (1, CsCheck.Gen.OneOf(hostile)));

    // A JSON object with each field present or absent, every present one valid (half the objects: requests that
    // should be accepted) or, in the other half, three times in four valid and else hostile.
    private static Gen<JsonObject> Fields(params (string Name, object?[] Valid, object?[] Hostile)[] fields) =>
        CsCheck.Gen.Frequency(
            (1, Object(fields.Select(f => (f.Name, CsCheck.Gen.OneOf(f.Valid))))),
            (1, Object(fields.Select(f => (f.Name, Mostly(f.Valid, f.Hostile))))));

    private static Gen<JsonObject> Object(IEnumerable<(string Name, Gen<object?> Value)> fields)
    {
        Gen<ImmutableList<(string Name, object? Value)>> chosen = CsCheck.Gen.Const(ImmutableList<(string, object?)>.Empty);
        foreach ((string field, Gen<object?> value) in fields)
        {
            chosen = CsCheck.Gen.Select(chosen, CsCheck.Gen.Int[0, 2], value, (list, present, v) => present > 0 ? list.Add((field, v)) : list);
        }

        return chosen.Select(list =>
        {
            var json = new JsonObject();
            foreach ((string field, object? value) in list)
            {
                json[field] = value is null ? null : JsonValue.Create(value);
            }

            return json;
        });
    }
}
