using Fusis.Core.State;

namespace Fusis.Core.Tests;

public sealed class DesiredStateStoreTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fusis-store-");

    private string StatePath => Path.Combine(_folder.FullName, "lib", "state.json");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void Missing_file_is_an_empty_state()
    {
        Assert.Equal(DesiredState.Empty, FileDesiredStateStore.Read(StatePath));
    }

    [Fact]
    public void Every_option_round_trips_and_nothing_is_left_behind()
    {
        using var store = FileDesiredStateStore.Open(StatePath, TimeSpan.FromSeconds(1));
        DesiredState state = Samples.EveryOption();

        store.Load();
        store.Save(state);

        Assert.Equal(state, store.Load());
        Assert.Equal(["state.json", "state.json.lock"], Directory.GetFiles(Path.GetDirectoryName(StatePath)!).Select(Path.GetFileName).Order());
        string json = File.ReadAllText(StatePath);
        Assert.Contains("\"kind\":\"fusis-desired-state\"", json, StringComparison.Ordinal);
        Assert.Contains("\"version\":3", json, StringComparison.Ordinal);
        Assert.Contains("\"netmask\":\"255.255.255.0\"", json, StringComparison.Ordinal);
        Assert.Contains("\"tunnelChecksum\":\"remote-checksum\"", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ not json", "cannot be used")]
    [InlineData("{\"kind\":\"something-else\",\"version\":1}", "not a Fusis desired-state file")]
    [InlineData("{\"kind\":\"fusis-desired-state\",\"version\":9}", "written by a newer Fusis")]
    [InlineData("{\"kind\":\"fusis-desired-state\",\"version\":1,\"surprise\":true}", "cannot be used")]
    [InlineData("{\"kind\":\"fusis-desired-state\",\"version\":1,\"services\":[{\"name\":\"a\",\"protocol\":\"tcp\",\"address\":\"198.18.0.1\",\"port\":80,\"scheduler\":\"rr\"},{\"name\":\"A\",\"protocol\":\"tcp\",\"address\":\"198.18.0.2\",\"port\":80,\"scheduler\":\"rr\"}]}", "used twice")]
    [InlineData("{\"kind\":\"fusis-desired-state\",\"version\":1,\"services\":[{\"name\":\"a\",\"protocol\":\"icmp\",\"address\":\"198.18.0.1\",\"port\":80,\"scheduler\":\"rr\"}]}", "protocol 'icmp' is unknown")]
    public void Corrupt_foreign_or_newer_files_are_errors_and_stay_untouched(string content, string expected)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StatePath)!);
        File.WriteAllText(StatePath, content);

        var error = Assert.Throws<DesiredStateException>(() => FileDesiredStateStore.Read(StatePath));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(StatePath, error.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(StatePath));
    }

    [Fact]
    public void An_invalid_state_is_refused_whole_and_the_old_file_stays()
    {
        FileDesiredStateStore.Write(StatePath, Samples.EveryOption());
        string before = File.ReadAllText(StatePath);
        DesiredService web = Samples.EveryOption().Services[0];
        var invalid = new DesiredState(
            [web, web with { Name = "bad name!" }, web with { Name = "w2", Destinations = [web.Destinations[0], web.Destinations[0]] }], []);

        var error = Assert.Throws<DesiredStateException>(() => FileDesiredStateStore.Write(StatePath, invalid));

        Assert.Contains(error.Problems, p => p.Contains("'bad name!' is not valid", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("is defined twice", StringComparison.Ordinal));
        Assert.Equal(before, File.ReadAllText(StatePath));
    }

    [Fact]
    public void The_lock_is_held_by_an_open_store_until_it_is_disposed()
    {
        using (FileDesiredStateStore.Open(StatePath, TimeSpan.FromSeconds(1)))
        {
            var error = Assert.Throws<DesiredStateLockedException>(() => FileDesiredStateStore.Open(StatePath, TimeSpan.FromMilliseconds(200)));
            Assert.Contains("another Fusis process", error.Message, StringComparison.Ordinal);
            Assert.Equal(Path.GetFullPath(StatePath), error.Path);
        }

        using FileDesiredStateStore again = FileDesiredStateStore.Open(StatePath, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void A_version_1_file_is_read_with_its_old_words()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StatePath)!);
        File.WriteAllText(StatePath, """
            {"kind":"fusis-desired-state","version":1,"services":[
              {"name":"web","protocol":"tcp","address":"198.18.0.1","port":80,"scheduler":"sh","flags":["persistent","scheduler-fallback"],"persistenceTimeout":60,
               "defaultForwardingMethod":"direct-route",
               "destinations":[{"address":"198.18.1.1","port":80,"forwardingMethod":"masquerade","weight":1},
                               {"address":"198.18.1.2","port":80,"forwardingMethod":"direct-route","weight":2}]},
              {"name":"mark","protocol":"fwmark","addressFamily":"ipv4","firewallMark":7,"scheduler":"rr"}]}
            """);

        DesiredState state = FileDesiredStateStore.Read(StatePath);

        DesiredService web = state.Find("web")!;
        Assert.Equal(Netlink.Ipvs.IpvsServiceFlags.Persistent | Netlink.Ipvs.IpvsServiceFlags.SchedulerFallback, web.Service.Flags);
        Assert.Equal(Netlink.Ipvs.IpvsForwardingMethod.DirectRoute, web.DefaultForwardingMethod);
        Assert.Equal([Netlink.Ipvs.IpvsForwardingMethod.Masquerade, Netlink.Ipvs.IpvsForwardingMethod.DirectRoute], web.Destinations.Select(d => d.ForwardingMethod));
        Assert.True(state.Find("mark")!.Key.IsFirewallMark);

        // Written back in the current version's words.
        string json = System.Text.Encoding.UTF8.GetString(FileDesiredStateStore.ToJson(state));
        Assert.Contains("\"version\": 3", json, StringComparison.Ordinal);
        Assert.Contains("\"forwardingMethod\": \"route\"", json, StringComparison.Ordinal);
        Assert.Contains("\"fallback\"", json, StringComparison.Ordinal);
        Assert.Contains("\"protocol\": \"fwm\"", json, StringComparison.Ordinal);
    }
}
