using System.Net;
using System.Net.Sockets;
using System.Text;
using Fusis.Core.Bgp;
using Fusis.Core.Model;

namespace Fusis.Core.Tests;

/// <summary>
/// The BIRD configuration Fusis writes and the control-socket client, against a socket that answers as BIRD 2.0.12
/// does (the lab's BgpLabTests run both against the real BIRD).
/// </summary>
public sealed class BgpTests : IDisposable
{
    private static readonly BgpSpeaker Speaker = new(
        65001, IPAddress.Parse("198.18.9.2"), "fusis0", [IPNetwork.Parse("198.18.100.0/24"), IPNetwork.Parse("fd00:100::/64")],
        [new BgpPeer(IPAddress.Parse("198.18.9.1"), 65000), new BgpPeer(IPAddress.Parse("fd00:9::1"), 65000)]);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fusis-bird-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void The_configuration_exports_only_host_routes_of_the_vip_ranges_to_each_peer_of_their_family()
    {
        string configuration = Speaker.ToBirdConfiguration(
            [IPAddress.Parse("198.18.100.7"), IPAddress.Parse("198.18.100.1"), IPAddress.Parse("198.18.101.1"), IPAddress.Parse("fd00:100::1")]);

        Assert.Contains("router id 198.18.9.2;", configuration, StringComparison.Ordinal);
        Assert.Contains("protocol direct fusis_vips_ipv4 { ipv4; interface \"fusis0\"; }", configuration, StringComparison.Ordinal);
        Assert.Contains("filter fusis_export_ipv4 { if net ~ [ 198.18.100.1/32, 198.18.100.7/32 ] then accept; reject; }", configuration, StringComparison.Ordinal);
        Assert.Contains("filter fusis_export_ipv6 { if net ~ [ fd00:100::1/128 ] then accept; reject; }", configuration, StringComparison.Ordinal);
        Assert.Contains("  neighbor 198.18.9.1 as 65000;\n  hold time 3;\n  ipv4 { import none; export filter fusis_export_ipv4; };", configuration, StringComparison.Ordinal);
        Assert.Contains("  neighbor fd00:9::1 as 65000;\n  hold time 3;\n  ipv6 { import none; export filter fusis_export_ipv6; };", configuration, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_announced_rejects_everything_and_peers_read_as_as_at_address()
    {
        Assert.Contains("filter fusis_export_ipv4 { reject; }", Speaker.ToBirdConfiguration([]), StringComparison.Ordinal);
        Assert.True(BgpPeer.TryParse("65000@fd00:9::1", out BgpPeer? peer));
        Assert.Equal(new BgpPeer(IPAddress.Parse("fd00:9::1"), 65000), peer);
        Assert.Equal("65000@fd00:9::1", peer.ToString());
        foreach (string bad in new[] { "65000", "198.18.9.1", "x@198.18.9.1", "65000@nowhere", "-1@198.18.9.1", "1@2@198.18.9.1" })
        {
            Assert.False(BgpPeer.TryParse(bad, out _), bad);
        }
    }

    [Fact]
    public void Unusable_settings_are_refused_with_every_problem_named()
    {
        BgpSpeaker bad = Speaker with
        {
            LocalAs = 0,
            RouterId = IPAddress.Parse("fd00::1"),
            VipInterface = "fusis0\"; }",
            VipRanges = [],
            Peers = [new BgpPeer(IPAddress.Parse("198.18.9.1"), uint.MaxValue), new BgpPeer(IPAddress.Parse("198.18.9.1"), 65000)],
            HoldTime = TimeSpan.FromSeconds(2),
        };

        ArgumentException error = Assert.Throws<ArgumentException>(() => bad.ToBirdConfiguration([]));

        Assert.Equal(7, bad.Problems().Count);
        foreach (string word in new[] { "local AS 0", "router ID fd00::1", "interface", "no VIP range", "AS 4294967295", "given twice", "hold time 2" })
        {
            Assert.Contains(word, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_client_reads_sessions_reloads_and_reports_refusals_by_their_code()
    {
        using Socket listener = Listen("bird.ctl", out string socket);
        var commands = new List<string>();
        Task server = Task.Run(async () =>
        {
            using Socket connection = await listener.AcceptAsync();
            using var stream = new NetworkStream(connection);
            using var reader = new StreamReader(stream);
            using var writer = new StreamWriter(stream) { NewLine = "\n", AutoFlush = true };
            await writer.WriteLineAsync("0001 BIRD 2.0.12 ready.");
            while (await reader.ReadLineAsync() is { } command)
            {
                commands.Add(command);
                await writer.WriteAsync(command switch
                {
                    "show protocols all" => """
                        2002-Name       Proto      Table      State  Since         Info
                        1002-device1    Device     ---        up     2026-12-07 04:00:00.120  
                        1006-
                        1002-fusis_peer1 BGP        ---        up     2026-12-07 04:00:03.456  Established   
                        1006-  BGP state:          Established
                             Neighbor address: 198.18.9.1
                             Neighbor AS:      65000
                             Channel ipv4
                               State:          UP
                               Routes:         0 imported, 2 exported, 0 preferred
                        1002-fusis_peer2 BGP        ---        start  2026-12-07 04:00:00.121  Active        Socket: Connection refused
                        1006-  BGP state:          Active
                             Neighbor address: fd00:9::1
                        0000 

                        """,
                    _ when command.StartsWith("configure ", StringComparison.Ordinal) => "0002-Reading configuration from /etc/bird/fusis.conf\n0003 Reconfigured\n",
                    _ => "9001 syntax error, unexpected CF_SYM_UNDEFINED\n",
                });
            }
        });

        using (BirdControl control = await BirdControl.ConnectAsync(socket))
        {
            IReadOnlyList<FusisBgpSession> sessions = await control.GetBgpSessionsAsync();
            await control.ConfigureAsync("/etc/bird/fusis.conf");
            BirdCommandException refused = await Assert.ThrowsAsync<BirdCommandException>(() => control.CommandAsync("show nonsense"));

            Assert.Equal(2, sessions.Count);
            Assert.Equal(new FusisBgpSession("fusis_peer1", "198.18.9.1", "up", "Established", new DateTimeOffset(new DateTime(2026, 12, 7, 4, 0, 3, 456, DateTimeKind.Local)), 2), sessions[0]);
            Assert.True(sessions[0].Established);
            Assert.Equal(("fusis_peer2", "start", "Active", 0), (sessions[1].Name, sessions[1].State, sessions[1].BgpState, sessions[1].Announced));
            Assert.Equal(9001, refused.Code);
        }

        await server.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["show protocols all", "configure \"/etc/bird/fusis.conf\"", "show nonsense"], commands);
    }

    [Fact]
    public async Task A_socket_that_does_not_greet_as_bird_is_refused()
    {
        using Socket listener = Listen("other.ctl", out string socket);
        Task server = Task.Run(async () =>
        {
            using Socket connection = await listener.AcceptAsync();
            await connection.SendAsync(Encoding.UTF8.GetBytes("HTTP/1.1 400 Bad Request\r\n\r\n"));
        });

        await Assert.ThrowsAsync<BirdCommandException>(() => BirdControl.ConnectAsync(socket));
        await server.WaitAsync(TimeSpan.FromSeconds(10));
    }

    // A Unix socket listening in the test's folder, where BIRD's control socket would be.
    private Socket Listen(string name, out string path)
    {
        path = Path.Combine(_folder.FullName, name);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        return listener;
    }
}
