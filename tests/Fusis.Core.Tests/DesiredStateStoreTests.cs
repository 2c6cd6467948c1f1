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
        Assert.Equal(DesiredState.Empty, new DesiredStateStore(StatePath).Load());
    }

    [Fact]
    public void Every_option_round_trips_and_nothing_is_left_behind()
    {
        var store = new DesiredStateStore(StatePath);
        DesiredState state = Samples.EveryOption();

        store.Save(state);

        Assert.Equal(state, store.Load());
        Assert.Equal(["state.json"], Directory.GetFiles(Path.GetDirectoryName(StatePath)!).Select(Path.GetFileName));
        string json = File.ReadAllText(StatePath);
        Assert.Contains("\"kind\": \"fusis-desired-state\"", json, StringComparison.Ordinal);
        Assert.Contains("\"version\": 1", json, StringComparison.Ordinal);
        Assert.Contains("\"netmask\": \"255.255.255.0\"", json, StringComparison.Ordinal);
        Assert.Contains("\"tunnelChecksum\": \"remote-checksum\"", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ not json", "cannot be used")]
    [InlineData("{\"kind\":\"something-else\",\"version\":1}", "not a Fusis desired-state file")]
    [InlineData("{\"kind\":\"fusis-desired-state\",\"version\":9}", "written by a newer Fusis")]
    [InlineData("{\"kind\":\"fusis-desired-state\",\"version\":1,\"surprise\":true}", "cannot be used")]
    [InlineData("{\"kind\":\"fusis-desired-state\",\"version\":1,\"services\":[{\"name\":\"a\",\"protocol\":\"tcp\",\"address\":\"198.18.0.1\",\"port\":80,\"scheduler\":\"rr\"},{\"name\":\"A\",\"protocol\":\"tcp\",\"address\":\"198.18.0.2\",\"port\":80,\"scheduler\":\"rr\"}]}", "used twice")]
    [InlineData("{\"kind\":\"fusis-desired-state\",\"version\":1,\"services\":[{\"name\":\"a\",\"protocol\":\"icmp\",\"address\":\"198.18.0.1\",\"port\":80,\"scheduler\":\"rr\"}]}", "unknown protocol 'icmp'")]
    public void Corrupt_foreign_or_newer_files_are_errors_and_stay_untouched(string content, string expected)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StatePath)!);
        File.WriteAllText(StatePath, content);

        var error = Assert.Throws<DesiredStateException>(() => new DesiredStateStore(StatePath).Load());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(StatePath, error.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(StatePath));
    }

    [Fact]
    public void An_invalid_state_is_refused_whole_and_the_old_file_stays()
    {
        var store = new DesiredStateStore(StatePath);
        store.Save(Samples.EveryOption());
        string before = File.ReadAllText(StatePath);
        DesiredService web = Samples.EveryOption().Services[0];
        var invalid = new DesiredState(
            [web, web with { Name = "bad name!" }, web with { Name = "w2", Destinations = [web.Destinations[0], web.Destinations[0]] }], []);

        var error = Assert.Throws<DesiredStateException>(() => store.Save(invalid));

        Assert.Contains(error.Problems, p => p.Contains("'bad name!' is not valid", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("is defined twice", StringComparison.Ordinal));
        Assert.Equal(before, File.ReadAllText(StatePath));
    }

    [Fact]
    public void The_lock_is_exclusive_until_released()
    {
        var store = new DesiredStateStore(StatePath);
        using (store.Lock(TimeSpan.FromSeconds(1)))
        {
            var error = Assert.Throws<DesiredStateException>(() => store.Lock(TimeSpan.FromMilliseconds(200)));
            Assert.Contains("another Fusis process holds", error.Message, StringComparison.Ordinal);
        }

        using IDisposable again = store.Lock(TimeSpan.FromSeconds(1));
    }
}
