using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Tests;

/// <summary>The journal beside the state file: changes appended as lines, replayed exactly, rewritten into the document when it outgrows it.</summary>
public sealed class DesiredStateJournalTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fusis-journal-");

    private string StatePath => Path.Combine(_folder.FullName, "state.json");

    private string JournalPath => StatePath + ".journal";

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void A_change_after_the_first_is_one_journal_line_and_the_document_stays()
    {
        FileDesiredStateStore.Write(StatePath, Samples.EveryOption());
        byte[] document = File.ReadAllBytes(StatePath);
        DesiredState state = Samples.EveryOption();
        DesiredService web = state.Services[0];
        DesiredState next = state with
        {
            Services = [web.WithDestinations([web.Destinations[0] with { Weight = 9 }, .. web.Destinations.Skip(1)]), state.Services[1], state.Services[2]],
        };

        using (var store = FileDesiredStateStore.Open(StatePath, TimeSpan.FromSeconds(1)))
        {
            Assert.Equal(state, store.Load());
            store.Save(next);
        }

        Assert.Equal(document, File.ReadAllBytes(StatePath));
        Assert.Single(File.ReadAllLines(JournalPath));
        Assert.Equal(next, FileDesiredStateStore.Read(StatePath));
    }

    [Fact]
    public void Random_edits_replay_exactly_in_order_from_the_files_alone()
    {
        var random = new Random(12);
        DesiredState state = DesiredState.Empty;
        int made = 0, rewrites = 0;
        using (var store = FileDesiredStateStore.Open(StatePath, TimeSpan.FromSeconds(1)))
        {
            store.Load();
            for (int edit = 0; edit < 300; edit++)
            {
                state = Edit(state, random, ref made);
                DateTime written = File.GetLastWriteTimeUtc(StatePath);
                store.Save(state);
                rewrites += File.GetLastWriteTimeUtc(StatePath) != written ? 1 : 0;
                Assert.Equal(state, FileDesiredStateStore.Read(StatePath));
            }
        }

        Assert.InRange(rewrites, 1, 60); // the first save, reorders (none here) and journals grown past the document
        using var reopened = FileDesiredStateStore.Open(StatePath, TimeSpan.FromSeconds(1));
        Assert.Equal(state, reopened.Load());
    }

    [Fact]
    public void A_torn_last_line_was_never_acknowledged_it_is_dropped_and_the_next_change_follows_the_others()
    {
        FileDesiredStateStore.Write(StatePath, Samples.EveryOption());
        DesiredState one = Samples.EveryOption() with { Retired = [] };
        using (var store = FileDesiredStateStore.Open(StatePath, TimeSpan.FromSeconds(1)))
        {
            store.Load();
            store.Save(one);
        }

        File.AppendAllText(JournalPath, "{\"sequence\":3,\"removed\":[{\"proto");
        Assert.Equal(one, FileDesiredStateStore.Read(StatePath));

        DesiredState two = one with { Services = one.Services.Skip(1).ToList() };
        using (var store = FileDesiredStateStore.Open(StatePath, TimeSpan.FromSeconds(1)))
        {
            Assert.Equal(one, store.Load());
            store.Save(two);
        }

        Assert.Equal(2, File.ReadAllLines(JournalPath).Length);
        Assert.Equal(two, FileDesiredStateStore.Read(StatePath));
    }

    [Fact]
    public void Lines_the_document_already_holds_are_skipped_when_a_rewrite_stopped_before_the_journal_was_emptied()
    {
        FileDesiredStateStore.Write(StatePath, Samples.EveryOption());
        DesiredState state = Samples.EveryOption();
        DesiredState changed = state with { Retired = [] };
        DesiredState reordered = changed with { Services = changed.Services.Reverse().ToList() };
        byte[] oldJournal;
        using (var store = FileDesiredStateStore.Open(StatePath, TimeSpan.FromSeconds(1)))
        {
            store.Load();
            store.Save(changed);
            oldJournal = File.ReadAllBytes(JournalPath);
            store.Save(reordered); // a new order is not a journal line: the document is rewritten and the journal emptied
            Assert.Equal(0, new FileInfo(JournalPath).Length);
        }

        File.WriteAllBytes(JournalPath, oldJournal); // as if the crash came between the rename and the truncation

        Assert.Equal(reordered, FileDesiredStateStore.Read(StatePath));
    }

    [Theory]
    [InlineData("not json\n", "line 1 of the journal")]
    [InlineData("{\"sequence\":5}\n", "record 5")]
    [InlineData("{\"sequence\":2,\"put\":[{\"index\":0,\"service\":{\"name\":\"x\",\"protocol\":\"icmp\"}}]}\n", "protocol 'icmp' is unknown")]
    public void A_journal_line_that_cannot_be_used_is_an_error_and_both_files_stay(string journal, string expected)
    {
        FileDesiredStateStore.Write(StatePath, Samples.EveryOption());
        byte[] document = File.ReadAllBytes(StatePath);
        File.WriteAllText(JournalPath, journal);

        var error = Assert.Throws<DesiredStateException>(() => FileDesiredStateStore.Read(StatePath));
        using (var store = FileDesiredStateStore.Open(StatePath, TimeSpan.FromSeconds(1)))
        {
            Assert.Throws<DesiredStateException>(store.Load);
        }

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(JournalPath, error.Message, StringComparison.Ordinal);
        Assert.Equal(document, File.ReadAllBytes(StatePath));
        Assert.Equal(journal, File.ReadAllText(JournalPath));
    }

    [Fact]
    public void A_journal_without_its_document_is_an_error()
    {
        File.WriteAllText(JournalPath, "{\"sequence\":2}\n");

        var error = Assert.Throws<DesiredStateException>(() => FileDesiredStateStore.Read(StatePath));

        Assert.Contains("is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_document_is_rewritten_once_the_journal_outgrows_it_so_a_save_costs_the_same_at_any_size()
    {
        DesiredService big = new(
            "big",
            new IpvsService { Key = Samples.Tcp("198.18.0.1", 80), Scheduler = "wrr" },
            Enumerable.Range(1, 200).Select(i => Samples.Destination($"198.19.{i / 250}.{(i % 250) + 1}", 80)).ToList());
        var state = new DesiredState([big], []);
        FileDesiredStateStore.Write(StatePath, state);
        long document = new FileInfo(StatePath).Length;
        long largest = 0;
        int rewrites = 0;
        using (var store = FileDesiredStateStore.Open(StatePath, TimeSpan.FromSeconds(1)))
        {
            store.Load();
            for (int weight = 2; weight < 200; weight++)
            {
                long before = File.Exists(JournalPath) ? new FileInfo(JournalPath).Length : 0;
                state = new DesiredState([big.WithDestinations(big.Destinations.Select(d => d with { Weight = weight }).ToList())], []);
                store.Save(state);
                long after = new FileInfo(JournalPath).Length;
                largest = Math.Max(largest, after);
                rewrites += after < before ? 1 : 0;
            }
        }

        Assert.InRange(rewrites, 2, 100);
        Assert.InRange(largest, 1, Math.Max(64 << 10, document));
        Assert.Equal(state, FileDesiredStateStore.Read(StatePath));
    }

    // One random edit: add a service at a random place, remove one, change one's weight, rename one, or retire one.
    private static DesiredState Edit(DesiredState state, Random random, ref int made)
    {
        List<DesiredService> services = [.. state.Services];
        int pick = services.Count == 0 ? 0 : random.Next(5);
        switch (pick)
        {
            case 0:
                made++;
                services.Insert(random.Next(services.Count + 1), new DesiredService(
                    $"s{made}",
                    new IpvsService { Key = Samples.Tcp($"198.18.{made / 250}.{(made % 250) + 1}", 80), Scheduler = "rr" },
                    [Samples.Destination("198.19.0.1", 80, random.Next(1, 100))]));
                break;
            case 1:
                services.RemoveAt(random.Next(services.Count));
                break;
            case 2:
                int changed = random.Next(services.Count);
                services[changed] = services[changed].WithDestinations([Samples.Destination("198.19.0.1", 80, random.Next(1, 100))]);
                break;
            case 3:
                int renamed = random.Next(services.Count);
                services[renamed] = services[renamed] with { Name = $"r{++made}" };
                break;
            default:
                int retired = random.Next(services.Count);
                IpvsServiceKey key = services[retired].Key;
                services.RemoveAt(retired);
                return new DesiredState(services, [.. state.Retired, key]);
        }

        return new DesiredState(services, state.Retired);
    }
}
