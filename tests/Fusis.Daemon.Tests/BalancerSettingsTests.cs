using Fusis.Daemon.Balancer;
using Fusis.TestSupport;

namespace Fusis.Daemon.Tests;

/// <summary>
/// The exit codes `fusis balancer` promises (where its settings come from: <see cref="CommandLineTests"/>).
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class BalancerSettingsTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fusis-settings-");

    private string StatePath => Path.Combine(_folder.FullName, "state.json");

    [Fact]
    public void A_bad_setting_exits_78_naming_it()
    {
        var (code, _, stderr) = Balancer("--on-failed", "Sometimes");

        Assert.Equal(78, code); // the README's number, not the constant: a changed constant must fail here
        Assert.Contains("OnFailed", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unusable_desired_state_file_exits_65_and_is_left_as_it_was()
    {
        File.WriteAllText(StatePath, "{ this is not a desired state");

        // Over an in-memory kernel: on this host, without IPVS, the kernel would refuse first (69).
        var (code, _, stderr) = ConsoleCapture.Run(() => BalancerHost.RunAsync(
            ["--listen", "127.0.0.1:0", "--state", StatePath, "--local-socket", ""], () => new MemoryIpvsKernel()).GetAwaiter().GetResult());

        Assert.Equal(65, code);
        Assert.Contains(StatePath, stderr, StringComparison.Ordinal);
        Assert.Equal("{ this is not a desired state", File.ReadAllText(StatePath));
    }

    [Fact]
    public void A_kernel_without_IPVS_exits_69_saying_to_load_the_module()
    {
        Assert.False(File.Exists("/proc/net/ip_vs"), "this test needs a host whose kernel has no IPVS (the lab holds the real one)");

        var (code, _, stderr) = Balancer();

        Assert.Equal(69, code);
        Assert.Contains("modprobe ip_vs", stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Delete(recursive: true);

    private (int Code, string Stdout, string Stderr) Balancer(params string[] extra) =>
        ConsoleCapture.Run(() => Program.Main(["balancer", "--listen", "127.0.0.1:0", "--state", StatePath, "--local-socket", "", .. extra]).GetAwaiter().GetResult());
}
