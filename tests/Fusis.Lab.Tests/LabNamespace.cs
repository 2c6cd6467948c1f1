using Fusis.Netlink.Ipvs;

namespace Fusis.Lab.Tests;

/// <summary>
/// A fresh network namespace for one test: its own, empty IPVS table, so tests never see each other's
/// services and never touch the lab's root namespace. Deleted (with everything in it) on dispose.
/// </summary>
internal sealed class LabNamespace : IDisposable
{
    private static int _counter;

    public LabNamespace()
    {
        LabKernel.RequireIpvs();
        Name = $"fusis-{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}";
        LabKernel.Run("ip", $"netns add {Name}");
        Exec("ip link set lo up");
    }

    public string Name { get; }

    public string Path => $"/run/netns/{Name}";

    /// <summary>Runs a command line inside the namespace; returns its stdout.</summary>
    public string Exec(string commandLine, bool check = true, string? stdin = null) =>
        LabKernel.Run("ip", $"netns exec {Name} {commandLine}", check, stdin: stdin);

    public string Ipvsadm(string arguments, bool check = true, string? stdin = null) =>
        Exec($"ipvsadm {arguments}", check, stdin);

    /// <summary>`ipvsadm -S -n` as a sorted set of lines (ipvsadm lists in hash order).</summary>
    public string[] IpvsadmSave() =>
        Ipvsadm("-S -n").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal).ToArray();

    public IpvsClient OpenIpvs() => IpvsClient.Open(Path);

    /// <summary>Moves the calling thread into this namespace until the scope is disposed.</summary>
    public NetworkNamespaceScope Enter() => new(Path);

    public void Dispose() => LabKernel.Run("ip", $"netns delete {Name}", check: false);
}
