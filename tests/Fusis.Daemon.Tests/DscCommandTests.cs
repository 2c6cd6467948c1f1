using System.Net;
using System.Text.Json;
using Fusis.Core.State;
using Fusis.Daemon.Dsc;
using Fusis.Netlink.Ipvs;
using Fusis.TestSupport;

namespace Fusis.Daemon.Tests;

/// <summary>`fusis dsc` as DSC v3 calls it (JSON on stdin, JSON Lines out, JSON messages on stderr) over the in-memory kernel.</summary>
public sealed class DscCommandTests : IDisposable
{
    private static readonly IpvsServiceKey Web = IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse("198.18.0.1"), 80);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fusis-dsc-");
    private readonly MemoryIpvsKernel _kernel = new();

    private string StatePath => Path.Combine(_folder.FullName, "state.json");

    [Fact]
    public async Task Set_creates_test_reports_drift_as_stateAndDiff_and_set_repairs_it()
    {
        const string Service = """{"name":"web","address":"198.18.0.1","port":80,"scheduler":"rr"}""";

        var created = await Run("set service", Service);
        var inState = await Run("test service", Service);
        _kernel.Apply([IpvsOperation.UpdateService(_kernel.GetService(Web)! with { Scheduler = "sh" })]); // behind Fusis's back
        var drifted = await Run("test service", Service);
        var repaired = await Run("set service", Service);

        Assert.Equal((0, """["_exist"]"""), (created.Code, created.Lines[1]));
        Assert.Contains("\"_inDesiredState\":true", inState.Lines[0], StringComparison.Ordinal);
        Assert.Equal("[]", inState.Lines[1]);
        Assert.Contains("\"_inDesiredState\":false", drifted.Lines[0], StringComparison.Ordinal);
        Assert.Equal("""["scheduler"]""", drifted.Lines[1]);
        Assert.Contains("\"scheduler\":\"rr\"", repaired.Lines[0], StringComparison.Ordinal);
        Assert.Equal("rr", _kernel.GetService(Web)!.Scheduler);
        Assert.Equal("web", Assert.Single(FileDesiredStateStore.Read(StatePath).Services).Name);
    }

    [Fact]
    public async Task Snat_is_compared_in_its_canonical_spelling()
    {
        // Only "off" here: a host test must not write the host's own nftables (the lab proves SNAT rules).
        await Run("set service", """{"name":"web","address":"198.18.0.1","port":80,"snat":"off"}""");

        var alias = await Run("test service", """{"name":"web","address":"198.18.0.1","port":80,"snat":"none"}""");
        var other = await Run("test service", """{"name":"web","address":"198.18.0.1","port":80,"snat":"masquerade"}""");

        Assert.Equal("[]", alias.Lines[1]);
        Assert.Contains("\"snat\":\"off\"", alias.Lines[0], StringComparison.Ordinal);
        Assert.Equal("""["snat"]""", other.Lines[1]);
        Assert.Equal(SnatSetting.Off, FileDesiredStateStore.Read(StatePath).Services[0].Snat);
    }

    [Fact]
    public async Task Destinations_set_export_and_delete_and_a_second_set_writes_nothing()
    {
        await Run("set service", """{"name":"web","address":"198.18.0.1","port":80}""");
        const string Destination = """{"serviceName":"web","address":"198.18.1.1","port":8080,"weight":3,"forwardingMethod":"nat"}""";

        await Run("set destination", Destination);
        int writes = _kernel.Writes;
        var again = await Run("set destination", Destination);
        int writesAfter = _kernel.Writes;
        var exported = await Run("export destination", string.Empty);
        var deleted = await Run("delete destination", """{"serviceName":"web","address":"198.18.1.1","port":8080}""");

        Assert.Equal(writes, writesAfter);
        Assert.Equal("[]", again.Lines[1]);
        Assert.Equal(
            """{"serviceName":"web","address":"198.18.1.1","port":8080,"_exist":true,"weight":3,"forwardingMethod":"nat","upperThreshold":0,"lowerThreshold":0}""",
            Assert.Single(exported.Lines));
        Assert.Equal((0, 0), (deleted.Code, deleted.Lines.Length));
        Assert.Empty(_kernel.GetDestinations(Web));
    }

    [Fact]
    public async Task Scheduler_flags_netmask_and_tunnel_settings_round_trip()
    {
        const string Service = """{"name":"web","address":"198.18.0.1","port":80,"scheduler":"sh","schedulerFlags":["port","fallback"],"netmask":"255.255.255.0","persistenceTimeout":60}""";
        const string Tunnel = """{"serviceName":"web","address":"198.18.1.1","port":80,"forwardingMethod":"tunnel","tunnelType":"gue","tunnelPort":6080,"tunnelChecksum":"checksum"}""";

        await Run("set service", Service);
        await Run("set destination", Tunnel);
        var service = await Run("test service", Service);
        var destination = await Run("test destination", Tunnel);

        Assert.Equal(("[]", "[]"), (service.Lines[1], destination.Lines[1]));
        Assert.Equal((IpvsTunnelType.Gue, (ushort)6080), (Assert.Single(_kernel.GetDestinations(Web)).TunnelType, _kernel.GetDestinations(Web)[0].TunnelPort));
    }

    [Theory]
    [InlineData("set service", """{"name":"web","address":"198.18.0.1","port":80,"color":"red"}""", DscCommand.InvalidInput, "color")]
    [InlineData("set service", """{"name":"web","address":"198.18.0.300","port":80}""", DscCommand.InvalidInput, "not an IPv4 or IPv6 address")]
    [InlineData("set service", "not json", DscCommand.InvalidInput, "not this resource's JSON")]
    [InlineData("set destination", """{"serviceName":"nosuch","address":"198.18.1.1","port":8080}""", DscCommand.Failed, "declare it first")]
    [InlineData("frobnicate service", "{}", DscCommand.InvalidInput, "usage: fusis dsc")]
    public async Task Bad_input_is_a_JSON_error_on_stderr_a_documented_exit_code_and_no_change(string operation, string input, int code, string message)
    {
        var result = await Run(operation, input);

        Assert.Equal(code, result.Code);
        Assert.Empty(result.Lines);
        Assert.Contains(message, JsonDocument.Parse(result.Errors.Trim()).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(_kernel.GetServices());
    }

    public void Dispose() => _folder.Delete(recursive: true);

    private async Task<(int Code, string[] Lines, string Errors)> Run(string arguments, string input)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        int code = await DscCommand.RunAsync(arguments.Split(' '), new StringReader(input), output, errors, () => new KernelView(_kernel), StatePath, Path.Combine(_folder.FullName, "no-daemon.sock"));
        return (code, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), errors.ToString());
    }
}
