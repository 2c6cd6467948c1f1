using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Fusis.Lab.Tests;

/// <summary>
/// SNAT on the real kernel with Debian's nftables: a backend with no route back to the client answers through a NAT
/// service only with SNAT (TCP and UDP, IPv4 and IPv6); Fusis's tables hold exactly the desired rules, come back when
/// deleted behind its back and after a kill -9, and go with the last SNAT service; a foreign nft table and an
/// iptables-nft rule stay byte-identical throughout.
/// </summary>
public sealed partial class SnatLabTests
{
    private const string Vip4 = "198.18.100.50";
    private const string Vip6 = "fd00:100::50";

    [Fact]
    public void Snat_lets_isolated_backends_answer_and_Fusis_keeps_its_tables_and_only_its_tables()
    {
        using var lab = new ClusterLab();
        try
        {
            lab.AddIsolatedBackend(5);
            ClusterLab.InBalancer("nft add table inet foreign");
            ClusterLab.InBalancer("nft add chain inet foreign input { type filter hook input priority 0 ; policy accept ; }");
            ClusterLab.InBalancer("nft add rule inet foreign input ip saddr 198.18.99.0/24 counter drop");
            ClusterLab.InBalancer("iptables-nft -A INPUT -s 198.18.98.0/24 -j DROP");
            string foreign = Foreign();
            lab.StartBalancer();

            // Without SNAT the backend's answers have no way back.
            Create(lab, "web4", "tcp", Vip4, 80, "198.18.2.15", "off");
            Assert.Null(ClusterLab.Ask(ProtocolType.Tcp, Vip4, 80));
            Assert.DoesNotContain("fusis", ClusterLab.InBalancer("nft list tables"), StringComparison.Ordinal);

            Send(lab, HttpMethod.Patch, "/services/web4", """{"Snat":"masquerade"}""", HttpStatusCode.OK);
            Create(lab, "dns4", "udp", Vip4, 53, "198.18.2.15", "198.18.2.1");
            Create(lab, "web6", "tcp", Vip6, 80, "fd00:2::15", "masquerade");
            Create(lab, "dns6", "udp", Vip6, 53, "fd00:2::15", "fd00:2::1");
            Assert.Equal("b5", ClusterLab.Ask(ProtocolType.Tcp, Vip4, 80));
            Assert.Equal("b5", ClusterLab.Ask(ProtocolType.Udp, Vip4, 53));
            Assert.Equal("b5", ClusterLab.Ask(ProtocolType.Tcp, Vip6, 80));
            Assert.Equal("b5", ClusterLab.Ask(ProtocolType.Udp, Vip6, 53));
            Assert.Equal("1", ClusterLab.InBalancer("sysctl -n net.ipv4.vs.conntrack").Trim());

            // The tables hold one rule per SNAT service, as the API shows the services.
            Assert.Equal(["dns4 udp 198.18.100.50 53 198.18.2.15 snat 198.18.2.1", "web4 tcp 198.18.100.50 80 198.18.2.15 masquerade"], Rules("ip"));
            Assert.Equal(["dns6 udp fd00:100::50 53 fd00:2::15 snat fd00:2::1", "web6 tcp fd00:100::50 80 fd00:2::15 masquerade"], Rules("ip6"));
            Assert.Equal(foreign, Foreign());

            // Deleted behind Fusis's back: back within the reconcile period (10 s).
            ClusterLab.InBalancer("nft delete table ip fusis");
            ClusterLab.WaitFor("ip fusis back after a reconcile", TimeSpan.FromSeconds(40), () => Rules("ip").Count == 2);
            Assert.Equal("b5", ClusterLab.Ask(ProtocolType.Tcp, Vip4, 80));

            // kill -9 and a restart: the same rules, the same answers.
            string before = Listing();
            lab.Kill("balancer");
            Assert.Equal(before, Listing());
            lab.StartBalancer();
            Assert.Equal(before, Listing());
            Assert.Equal("b5", ClusterLab.Ask(ProtocolType.Udp, Vip6, 53));
            Assert.Equal(foreign, Foreign());

            // A removed service takes its rule; the last one takes the tables.
            Send(lab, HttpMethod.Delete, "/services/dns4", null, HttpStatusCode.NoContent);
            Assert.Equal(["web4 tcp 198.18.100.50 80 198.18.2.15 masquerade"], Rules("ip"));
            Send(lab, HttpMethod.Delete, "/services/web4", null, HttpStatusCode.NoContent);
            Send(lab, HttpMethod.Patch, "/services/web6", """{"Snat":"off"}""", HttpStatusCode.OK);
            Send(lab, HttpMethod.Delete, "/services/dns6", null, HttpStatusCode.NoContent);
            Assert.DoesNotContain("fusis", ClusterLab.InBalancer("nft list tables"), StringComparison.Ordinal);
            Assert.Null(ClusterLab.Ask(ProtocolType.Tcp, Vip6, 80));

            // A table left behind (an older desired state's) goes with the explicit cleanup, Repair-FusisSnat.
            ClusterLab.InBalancer("nft add table ip fusis");
            using (var pwsh = new PowerShellSession())
            {
                Assert.Empty(pwsh.Invoke($"Repair-FusisSnat -Balancer {ClusterLab.Api} -Token (ConvertTo-SecureString '{ClusterLab.Token}' -AsPlainText)").Errors);
            }

            Assert.DoesNotContain("fusis", ClusterLab.InBalancer("nft list tables"), StringComparison.Ordinal);
            Assert.Equal(foreign, Foreign());
        }
        catch
        {
            Console.WriteLine(lab.Log);
            throw;
        }
    }

    [Fact]
    public void Local_cmdlets_run_the_engine_in_their_namespace_and_write_its_SNAT_tables_there_only()
    {
        using var ns = new LabNamespace();
        using var state = new TemporaryDesiredState();
        string root = LabKernel.Run("nft", "list ruleset");
        using var session = new PowerShellSession();
        using (ns.Enter())
        {
            Assert.Empty(session.Invoke(
                "New-FusisService -Name web -Address 198.18.73.1 -Port 80 -Snat 198.18.73.254 | Out-Null; " +
                "New-FusisDestination -ServiceName web -Address 198.18.74.1 -Port 8080 -ForwardingMethod nat | Out-Null").Errors);
        }

        Assert.Contains("ip daddr 198.18.74.1 counter packets 0 bytes 0 snat to 198.18.73.254 comment \"fusis service web\"", ns.Exec("nft list table ip fusis"), StringComparison.Ordinal);
        Assert.Equal(root, LabKernel.Run("nft", "list ruleset")); // the lab's own namespace: untouched
        using (ns.Enter())
        {
            Assert.Empty(session.Invoke("Remove-FusisService web -Confirm:$false").Errors);
        }

        Assert.DoesNotContain("fusis", ns.Exec("nft list tables"), StringComparison.Ordinal);
    }

    private static void Create(ClusterLab lab, string name, string protocol, string vip, int port, string backend, string snat) =>
        Send(lab, HttpMethod.Post, "/services", $$"""
            {"Name":"{{name}}","Protocol":"{{protocol}}","Address":"{{vip}}","Port":{{port}},"Scheduler":"rr","Snat":"{{snat}}",
             "Destinations":[{"Address":"{{backend}}","Port":8080,"Mode":"nat"}]}
            """, HttpStatusCode.Created);

    private static void Send(ClusterLab lab, HttpMethod method, string path, string? json, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using HttpResponseMessage response = lab.ApiClient.SendAsync(request).GetAwaiter().GetResult();
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {response.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
    }

    // nft's own view of table <family> fusis (nft -j): per rule, the service, protocol, VIP, port, destinations and action.
    private static List<string> Rules(string family)
    {
        string json = ClusterLab.InBalancer($"nft -j list table {family} fusis", check: false);
        if (json.Length == 0)
        {
            return [];
        }

        var rules = new List<string>();
        foreach (JsonNode? item in JsonNode.Parse(json)!["nftables"]!.AsArray())
        {
            if (item?["rule"] is not JsonObject rule)
            {
                continue;
            }

            var parts = new List<string> { rule["comment"]!.ToString().Replace("fusis service ", string.Empty, StringComparison.Ordinal) };
            foreach (JsonNode? expr in rule["expr"]!.AsArray())
            {
                if (expr?["match"] is JsonObject match)
                {
                    parts.Add(match["right"]!.ToJsonString().Trim('"'));
                }
                else if (expr?["snat"] is JsonObject snat)
                {
                    parts.Add($"snat {snat["addr"]}");
                }
                else if (expr is JsonObject o && o.ContainsKey("masquerade"))
                {
                    parts.Add("masquerade");
                }
            }

            rules.Add(string.Join(' ', parts));
        }

        return [.. rules.Order(StringComparer.Ordinal)];
    }

    // Both of Fusis's tables as nft lists them, counters' values left out.
    private static string Listing() => Counters().Replace(
        ClusterLab.InBalancer("nft list table ip fusis") + ClusterLab.InBalancer("nft list table ip6 fusis"), "counter");

    // What Fusis must never touch: another nft table and iptables-nft's rules.
    private static string Foreign() => ClusterLab.InBalancer("nft list table inet foreign") + ClusterLab.InBalancer("nft list table ip filter");

    [GeneratedRegex(@"counter packets \d+ bytes \d+")]
    private static partial Regex Counters();
}
