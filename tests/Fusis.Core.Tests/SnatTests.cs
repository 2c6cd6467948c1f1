using System.Net;
using System.Text.Json.Nodes;
using Fusis.Core.Api;
using Fusis.Core.Engine;
using Fusis.Core.Nat;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;
using Fusis.TestSupport;

namespace Fusis.Core.Tests;

/// <summary>SNAT: the setting's words and rules, the rules a state needs, and how the engine keeps the tables (the lab proves nftables).</summary>
public sealed class SnatTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fusis-snat-");
    private readonly MemoryIpvsKernel _kernel = new();
    private readonly MemoryNatTables _nat = new();

    private string StatePath => Path.Combine(_folder.FullName, "state.json");

    public void Dispose() => _folder.Delete(recursive: true);

    [Theory]
    [InlineData("off", "off")]
    [InlineData("none", "off")]
    [InlineData("MASQUERADE", "masquerade")]
    [InlineData("198.18.2.1", "198.18.2.1")]
    [InlineData("fd00:0:0::1", "fd00::1")]
    public void The_words_and_addresses_read_as_one_spelling(string text, string canonical)
    {
        Assert.True(SnatSetting.TryParse(text, out SnatSetting? setting));
        Assert.Equal(canonical, setting.ToString());
        Assert.Equal(canonical, SnatSetting.Canonical(text));
    }

    [Theory]
    [InlineData("masq")]
    [InlineData("3323068417")]
    [InlineData("0xC6120001")]
    [InlineData("::ffff:198.18.0.1")]
    [InlineData("fe80::1%eth0")]
    [InlineData("")]
    public void Loose_forms_are_not_settings(string text) => Assert.False(SnatSetting.TryParse(text, out _));

    [Theory]
    [InlineData("198.18.0.1", 80, "fd00::1", "not of the service's address family")]
    [InlineData("198.18.0.1", 80, "127.0.0.1", "not a unicast address")]
    [InlineData("198.18.0.1", 80, "224.0.0.1", "not a unicast address")]
    [InlineData("198.18.0.1", 80, "bogus", "is not off or masquerade")]
    public void A_setting_a_service_cannot_use_is_refused_on_the_Snat_field(string address, int port, string snat, string expected)
    {
        var error = Assert.Throws<FusisException>(() => RequestMapper.ToService(new ServiceRequest { Name = "web", Address = address, Port = port, Snat = snat }, null));

        Assert.Equal(FusisErrorCode.InvalidArgument, error.Code);
        Assert.Contains(expected, Assert.Single(error.Fields["Snat"]), StringComparison.Ordinal);
    }

    [Fact]
    public void A_firewall_mark_service_has_no_address_to_match_so_it_has_no_SNAT()
    {
        var error = Assert.Throws<FusisException>(() => RequestMapper.ToService(new ServiceRequest { Name = "m", Protocol = "fwm", FirewallMark = 7, Snat = "masquerade" }, null));

        Assert.Contains("firewall-mark", Assert.Single(error.Fields["Snat"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_cover_services_with_SNAT_on_and_only_their_NAT_destinations()
    {
        DesiredService nat = Service("web", 1, SnatSetting.Masquerade) with { Destinations = [Samples.Destination("198.19.0.1", 80), Samples.Destination("198.19.0.2", 80) with { ForwardingMethod = IpvsForwardingMethod.DirectRoute }] };
        DesiredService routed = Service("dr", 2, null) with { Destinations = [Samples.Destination("198.19.0.3", 80) with { ForwardingMethod = IpvsForwardingMethod.DirectRoute }] };
        DesiredService off = Service("plain", 3, SnatSetting.Off);
        DesiredService byDefault = Service("dflt", 4, null);
        var state = new DesiredState([nat, routed, off, byDefault], []) { DefaultSnat = SnatSetting.Masquerade };

        IReadOnlyList<SnatRule> rules = SnatRule.For(state);

        Assert.Equal(["web", "dflt"], rules.Select(r => r.Service));
        Assert.Equal([IPAddress.Parse("198.19.0.1")], rules[0].Destinations);
        Assert.DoesNotContain(SnatRule.For(state with { DefaultSnat = SnatSetting.Off }), r => r.Service == "dflt");
    }

    [Fact]
    public void The_rules_of_a_change_that_touches_no_service_with_SNAT_are_the_ones_before_and_others_are_made_again()
    {
        DesiredService nat = Service("web", 1, SnatSetting.Masquerade);
        DesiredService off = Service("plain", 3, SnatSetting.Off);
        var state = new DesiredState([nat, off, Service("dflt", 4, null)], []);
        IReadOnlyList<SnatRule> rules = SnatRule.For(state);

        DesiredState offEdited = state.Replacing(off, off with { Destinations = [.. off.Destinations, Samples.Destination("198.19.0.9", 80)] });
        DesiredState natEdited = state.Replacing(nat, nat with { Destinations = [.. nat.Destinations, Samples.Destination("198.19.0.9", 80)] });
        DesiredState turnedOn = state.Replacing(off, off with { Snat = SnatSetting.Masquerade });

        Assert.Same(rules, SnatRule.For(offEdited, state, rules));
        Assert.Equal(SnatRule.For(natEdited), SnatRule.For(natEdited, state, rules));
        Assert.Equal(["web", "plain"], SnatRule.For(turnedOn, state, rules).Select(r => r.Service));
        Assert.Equal(["web", "dflt"], SnatRule.For(state with { DefaultSnat = SnatSetting.Masquerade }, state, rules).Select(r => r.Service));
    }

    [Fact]
    public void The_nft_document_replaces_both_tables_whole_and_matches_each_service_by_its_original_destination()
    {
        var rules = new[]
        {
            new SnatRule("web", Samples.Tcp("198.18.0.1", 80), [IPAddress.Parse("198.19.0.1"), IPAddress.Parse("198.19.0.2")], SnatSetting.To(IPAddress.Parse("198.19.0.254"))),
            new SnatRule("dns6", IpvsServiceKey.ForEndPoint(IpvsProtocol.Udp, IPAddress.Parse("fd00::53"), 53), [IPAddress.Parse("fd00:1::5")], SnatSetting.Masquerade),
        };

        JsonArray commands = JsonNode.Parse(NftTables.Document(rules))!["nftables"]!.AsArray();

        // For each family: add, delete (so a missing table is no error), then the table again with its chain and rules.
        Assert.Equal(
            ["add table ip", "delete table ip", "add table ip", "add chain ip", "add rule ip", "add table ip6", "delete table ip6", "add table ip6", "add chain ip6", "add rule ip6"],
            commands.Select(c => { var verb = c!.AsObject().Single(); var kind = verb.Value!.AsObject().Single(); return $"{verb.Key} {kind.Key} {kind.Value!["family"]}"; }));
        JsonObject web = commands[4]!["add"]!["rule"]!.AsObject();
        Assert.Equal("fusis service web", web["comment"]!.ToString());
        string expr = web["expr"]!.ToJsonString();
        Assert.Contains("\"right\":\"tcp\"", expr, StringComparison.Ordinal);
        Assert.Contains("\"dir\":\"original\"}},\"right\":\"198.18.0.1\"", expr, StringComparison.Ordinal);
        Assert.Contains("\"right\":80", expr, StringComparison.Ordinal);
        Assert.Contains("{\"set\":[\"198.19.0.1\",\"198.19.0.2\"]}", expr, StringComparison.Ordinal);
        Assert.Contains("{\"snat\":{\"addr\":\"198.19.0.254\"}}", expr, StringComparison.Ordinal);
        Assert.Contains("{\"masquerade\":null}", commands[9]!["add"]!["rule"]!["expr"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(4, JsonNode.Parse(NftTables.Document([]))!["nftables"]!.AsArray().Count); // no rules: both tables deleted
    }

    [Fact]
    public async Task The_engine_writes_the_tables_when_the_rules_change_only_and_removes_them_with_the_last_SNAT_service()
    {
        await using BalancerEngine engine = Start();
        await engine.ChangeAsync((state, _) => state with { Services = [Service("web", 1, SnatSetting.Masquerade)] });
        Assert.Equal((1, "web"), (_nat.Writes, Assert.Single(_nat.Rules!).Service));

        await engine.ChangeAsync((state, _) => state with { Services = [state.Services[0] with { Service = state.Services[0].Service with { Scheduler = "sh" } }] });
        Assert.Equal(1, _nat.Writes); // an IPVS-only change leaves the tables alone

        await engine.ChangeAsync((state, _) => state with { Services = [state.Services[0].WithDestinations([Samples.Destination("198.19.0.9", 80)])] });
        Assert.Equal(2, _nat.Writes);

        await engine.ChangeAsync((state, _) => DesiredState.Empty with { Retired = [state.Services[0].Key] });
        Assert.Equal(3, _nat.Writes);
        Assert.Null(_nat.Rules);
    }

    [Fact]
    public async Task Without_SNAT_services_the_engine_never_runs_nft()
    {
        await using BalancerEngine engine = Start();
        await engine.ChangeAsync((state, _) => state with { Services = [Service("plain", 1, null)] });
        await engine.ReconcileAsync();
        await engine.ChangeAsync((state, _) => DesiredState.Empty with { Retired = [state.Services[0].Key] });

        Assert.Equal(0, _nat.Calls);
    }

    [Fact]
    public async Task A_reconcile_puts_back_tables_deleted_behind_Fusis_and_writes_nothing_when_they_are_intact()
    {
        await using BalancerEngine engine = Start();
        await engine.ChangeAsync((state, _) => state with { Services = [Service("web", 1, SnatSetting.Masquerade)] });

        Assert.False((await engine.ReconcileAsync()).NatRewritten);
        Assert.Equal(1, _nat.Writes);

        _nat.DeleteTables();
        Assert.True((await engine.ReconcileAsync()).NatRewritten);
        Assert.Equal("web", Assert.Single(_nat.Rules!).Service);
    }

    [Fact]
    public async Task Without_nftables_a_service_that_needs_SNAT_is_refused_before_anything_is_written_and_others_still_work()
    {
        _nat.Unavailable = "SNAT needs nftables, and nft is not installed: install the Debian package nftables (apt install nftables)";
        await using BalancerEngine engine = Start();

        var error = await Assert.ThrowsAsync<FusisException>(() => engine.ChangeAsync((state, _) => state with { Services = [Service("web", 1, SnatSetting.Masquerade)] }));

        Assert.Equal(FusisErrorCode.NatUnavailable, error.Code);
        Assert.Contains("apt install nftables", error.Message, StringComparison.Ordinal);
        Assert.Equal(DesiredState.Empty, FileDesiredStateStore.Read(StatePath));
        Assert.Empty(_kernel.GetServices());
        await engine.ChangeAsync((state, _) => state with { Services = [Service("plain", 2, null)] });
        Assert.Single(_kernel.GetServices());
        Assert.True((await engine.ReconcileAsync()).Succeeded);
    }

    [Fact]
    public async Task Rules_nft_refuses_undo_the_change_in_the_store_and_the_kernel()
    {
        await using BalancerEngine engine = Start();
        _nat.RefuseRules = true;

        var error = await Assert.ThrowsAsync<FusisException>(() => engine.ChangeAsync((state, _) => state with { Services = [Service("web", 1, SnatSetting.Masquerade)] }));

        Assert.Equal(FusisErrorCode.NatUnavailable, error.Code);
        Assert.Equal(DesiredState.Empty, FileDesiredStateStore.Read(StatePath));
        Assert.Equal(DesiredState.Empty, engine.Current);
        Assert.Empty(_kernel.GetServices());
    }

    [Fact]
    public async Task A_rewrite_deletes_tables_left_behind_and_puts_back_what_the_services_need()
    {
        await using BalancerEngine engine = Start();
        _nat.Apply([new SnatRule("stale", Samples.Tcp("198.18.0.9", 80), [IPAddress.Parse("198.19.0.9")], SnatSetting.Masquerade)]); // an older desired state's

        Assert.True(await engine.RewriteNatAsync());
        Assert.Null(_nat.Rules);
        Assert.False(await engine.RewriteNatAsync()); // nothing there and nothing needed: nothing written

        await engine.ChangeAsync((state, _) => state with { Services = [Service("web", 1, SnatSetting.Masquerade)] });
        _nat.DeleteTables();
        Assert.True(await engine.RewriteNatAsync());
        Assert.Equal("web", Assert.Single(_nat.Rules!).Service);
    }

    [Fact]
    public void The_setting_and_the_default_survive_the_state_file_and_its_journal()
    {
        var state = new DesiredState([Service("web", 1, SnatSetting.To(IPAddress.Parse("198.19.0.254"))), Service("dflt", 2, null)], []);
        FileDesiredStateStore.Write(StatePath, state);
        using (var store = FileDesiredStateStore.Open(StatePath, TimeSpan.FromSeconds(1)))
        {
            store.Load();
            store.Save(state with { DefaultSnat = SnatSetting.Masquerade }); // a journal line
        }

        DesiredState read = FileDesiredStateStore.Read(StatePath);
        Assert.Equal(SnatSetting.Masquerade, read.DefaultSnat);
        Assert.Equal("198.19.0.254", read.Find("web")!.Snat!.ToString());
        Assert.Null(read.Find("dflt")!.Snat);
        Assert.Equal(SnatSetting.Masquerade, read.SnatOf(read.Find("dflt")!));
    }

    private BalancerEngine Start() => BalancerEngine.Start(FileDesiredStateStore.Open(StatePath, TimeSpan.FromSeconds(1)), _kernel, _nat);

    private static DesiredService Service(string name, int i, SnatSetting? snat) => new(
        name, new IpvsService { Key = Samples.Tcp($"198.18.0.{i}", 80), Scheduler = "rr" }, [Samples.Destination($"198.19.0.{i}", 80) with { ForwardingMethod = IpvsForwardingMethod.Masquerade }])
    {
        Snat = snat,
    };
}
