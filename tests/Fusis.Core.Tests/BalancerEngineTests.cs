using Fusis.Core.Engine;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;
using Fusis.TestSupport;

namespace Fusis.Core.Tests;

public sealed class BalancerEngineTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fusis-engine-");
    private readonly CountingKernel _kernel = new();

    private string StatePath => Path.Combine(_folder.FullName, "state.json");

    // A new engine's store: it holds the lock until the engine stops.
    private FileDesiredStateStore Store => FileDesiredStateStore.Open(StatePath, TimeSpan.FromSeconds(1));

    [Fact]
    public async Task A_change_reads_and_writes_only_the_services_it_touches()
    {
        await using BalancerEngine engine = BalancerEngine.Start(Store, _kernel);
        await engine.ChangeAsync((state, _) => state with { Services = [.. Enumerable.Range(1, 50).Select(i => Service($"s{i}", i))] });
        _kernel.Reads = 0;

        EngineChange change = await engine.ChangeAsync((state, _) => state with
        {
            Services = state.Services.Select(s => s.Name == "s7" ? s with { Service = s.Service with { Scheduler = "sh" } } : s).ToList(),
        });

        Assert.Equal([IpvsOperationKind.UpdateService], change.Plan.Select(o => o.Kind));
        Assert.Equal(2, _kernel.Reads); // the one service and its destinations, not a dump of all 50
        Assert.Equal("sh", _kernel.GetService(Service("s7", 7).Key)!.Scheduler);
        Assert.Equal(change.State, FileDesiredStateStore.Read(StatePath));
    }

    [Fact]
    public async Task A_refused_change_is_undone_in_the_store_and_in_the_kernel()
    {
        await using BalancerEngine engine = BalancerEngine.Start(Store, _kernel);
        await engine.ChangeAsync((state, _) => state with { Services = [Service("a", 1)] });
        DesiredState before = FileDesiredStateStore.Read(StatePath);

        // A new service the kernel accepts, and an edit it refuses (no such scheduler), in one change.
        EngineChange change = await engine.ChangeAsync((state, _) => state with
        {
            Services = [state.Services[0] with { Service = state.Services[0].Service with { Scheduler = "nosuch" } }, Service("b", 2)],
        });

        Assert.NotNull(change.Refused);
        Assert.Equal(before, FileDesiredStateStore.Read(StatePath));
        Assert.Equal(before, engine.Current);
        Assert.Equal([Service("a", 1).Key], _kernel.GetServices().Select(s => s.Key));
    }

    [Fact]
    public async Task A_dry_run_plans_without_saving_or_writing_and_a_deleted_service_is_forgotten_once_gone()
    {
        await using BalancerEngine engine = BalancerEngine.Start(Store, _kernel);
        await engine.ChangeAsync((state, _) => state with { Services = [Service("a", 1)] });
        int writes = _kernel.Writes;

        EngineChange dry = await engine.ChangeAsync((state, _) => DesiredState.Empty with { Retired = [state.Services[0].Key] }, dryRun: true);
        Assert.Equal((true, writes), (dry.DryRun, _kernel.Writes));
        Assert.Single(FileDesiredStateStore.Read(StatePath).Services);

        EngineChange deleted = await engine.ChangeAsync((state, _) => DesiredState.Empty with { Retired = [state.Services[0].Key] });
        Assert.Equal([IpvsOperationKind.DeleteService], deleted.Plan.Select(o => o.Kind));
        Assert.Equal(DesiredState.Empty, FileDesiredStateStore.Read(StatePath));
        Assert.Empty(_kernel.GetServices());
    }

    public void Dispose() => _folder.Delete(recursive: true);

    private static DesiredService Service(string name, int i) => new(
        name, new IpvsService { Key = Samples.Tcp($"198.18.0.{i}", 80), Scheduler = "rr" }, [Samples.Destination($"198.19.0.{i}", 80)]);

    // Counts reads, to prove a change reads only what it touches.
    private sealed class CountingKernel : IIpvsKernel
    {
        private readonly MemoryIpvsKernel _inner = new();

        public int Reads { get; set; }

        public int Writes => _inner.Writes;

        public IpvsInfo GetInfo() => _inner.GetInfo();

        public IReadOnlyList<IpvsService> GetServices()
        {
            Reads++;
            return _inner.GetServices();
        }

        public IpvsService? GetService(IpvsServiceKey key)
        {
            Reads++;
            return _inner.GetService(key);
        }

        public IReadOnlyList<IpvsDestination> GetDestinations(IpvsServiceKey key)
        {
            Reads++;
            return _inner.GetDestinations(key);
        }

        public IReadOnlyList<IpvsOperationResult> Apply(IReadOnlyList<IpvsOperation> operations) => _inner.Apply(operations);

        public IpvsTimeouts GetTimeouts() => _inner.GetTimeouts();

        public void SetTimeouts(IpvsTimeouts timeouts) => _inner.SetTimeouts(timeouts);

        public void ZeroStatistics(IpvsServiceKey? key = null) => _inner.ZeroStatistics(key);

        public void Dispose() => _inner.Dispose();
    }
}
