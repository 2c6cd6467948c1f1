using System.Management.Automation;
using System.Net;
using System.Text.Json;
using Fusis.Core;
using Fusis.Core.Model;
using Fusis.Core.State;
using Fusis.Daemon.Balancer;
using Fusis.Daemon.Dsc;
using Fusis.TestSupport;
using Microsoft.AspNetCore.Builder;

namespace Fusis.Commands.Tests;

/// <summary>
/// One rulebook and one writer, on the host over an in-memory kernel: the same bad input through the API, a cmdlet (in
/// process and through this host's daemon), `fusis dsc` and the DSC class gives the same problem on the same field; and
/// while a daemon runs, local cmdlets go through its engine, which alone holds the desired state.
/// </summary>
public sealed class OneRulebookTests : IAsyncLifetime
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fusis-rulebook-");
    private CmdletHost _host = null!;
    private WebApplication _daemon = null!;

    private string DaemonState => Path.Combine(_folder.FullName, "daemon.json");

    private string Socket => Path.Combine(_folder.FullName, "run", "fusis.sock");

    public async ValueTask InitializeAsync()
    {
        // The daemon's desired state and the cmdlets' own (used when no daemon answers) both own "web".
        var web = new DesiredState(
            [new DesiredService("web", new Netlink.Ipvs.IpvsService { Key = Netlink.Ipvs.IpvsServiceKey.ForEndPoint(Netlink.Ipvs.IpvsProtocol.Tcp, IPAddress.Parse("198.18.0.1"), 80) }, [])], []);
        _host = new CmdletHost(web);
        FileDesiredStateStore.Write(DaemonState, web);
        _daemon = BalancerHost.Build(
            ["--listen", "127.0.0.1:0", "--state", DaemonState, "--local-socket", Socket, "--reconcile-interval", "01:00:00"],
            () => new KernelView(_host.Kernel)); // the same "kernel" as the cmdlets': one host
        await _daemon.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _daemon.StopAsync();
        await _daemon.DisposeAsync();
        _host.Dispose();
        _folder.Delete(recursive: true);
    }

    public static TheoryData<string, string, string, string, string, string> Cases => new()
    {
        // field, API route, API body, cmdlet, fusis dsc (type and JSON), DSC class properties
        {
            "Address", "/services", """{"Name":"x","Address":"198.18.0.300","Port":80}""",
            "New-FusisService -Name x -Address 198.18.0.300 -Port 80",
            """service {"name":"x","address":"198.18.0.300","port":80}""", "FusisService|Name = 'x'; Address = '198.18.0.300'; Port = 80"
        },
        {
            "Scheduler", "/services", """{"Name":"x","Address":"198.18.0.2","Port":80,"Scheduler":"no such"}""",
            "New-FusisService -Name x -Address 198.18.0.2 -Port 80 -Scheduler 'no such'",
            """service {"name":"x","address":"198.18.0.2","port":80,"scheduler":"no such"}""", "FusisService|Name = 'x'; Address = '198.18.0.2'; Port = 80; Scheduler = 'no such'"
        },
        {
            "Port", "/services", """{"Name":"x","Address":"198.18.0.2","Port":0}""",
            "New-FusisService -Name x -Address 198.18.0.2 -Port 0",
            """service {"name":"x","address":"198.18.0.2","port":0}""", "FusisService|Name = 'x'; Address = '198.18.0.2'; Port = 0"
        },
        {
            "Weight", "/services/web/destinations", """{"Address":"198.18.1.1","Port":8080,"Weight":70000}""",
            "New-FusisDestination -ServiceName web -Address 198.18.1.1 -Port 8080 -Weight 70000",
            """destination {"serviceName":"web","address":"198.18.1.1","port":8080,"weight":70000}""", "FusisDestination|ServiceName = 'web'; Address = '198.18.1.1'; Port = 8080; Weight = 70000"
        },
        {
            "Mode", "/services/web/destinations", """{"Address":"198.18.1.1","Port":8080,"TunnelType":"gue"}""",
            "New-FusisDestination -ServiceName web -Address 198.18.1.1 -Port 8080 -TunnelType gue",
            """destination {"serviceName":"web","address":"198.18.1.1","port":8080,"tunnelType":"gue"}""", "FusisDestination|ServiceName = 'web'; Address = '198.18.1.1'; Port = 8080; TunnelType = 'gue'"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_same_bad_input_is_the_same_problem_on_the_same_field_in_every_front_end(
        string field, string route, string body, string cmdlet, string dsc, string dscClass)
    {
        string before = File.ReadAllText(DaemonState);

        // The API.
        using var http = new HttpClient { BaseAddress = new Uri(_daemon.Urls.Single(u => !u.StartsWith("http://unix:", StringComparison.Ordinal))) };
        using HttpResponseMessage response = await http.PostAsync(new Uri(route, UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        using JsonDocument error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(nameof(FusisErrorCode.InvalidArgument), error.RootElement.GetProperty("code").GetString());
        string[] problem = [.. error.RootElement.GetProperty("errors").GetProperty(field).EnumerateArray().Select(p => p.GetString()!)];

        // The cmdlet, through this host's daemon (its local socket) and with no daemon (the engine in its own process).
        Environment.SetEnvironmentVariable(Core.Backends.LocalBackend.SocketPathVariable, Socket);
        Assert.Equal(problem, Problem(Assert.Single(_host.Invoke(cmdlet).Errors), field));
        Environment.SetEnvironmentVariable(Core.Backends.LocalBackend.SocketPathVariable, Path.Combine(_folder.FullName, "none.sock"));
        Assert.Equal(problem, Problem(Assert.Single(_host.Invoke(cmdlet).Errors), field));

        // The DSC class resource, and `fusis dsc` through the daemon.
        string[] parts = dscClass.Split('|');
        string script = $"Import-Module '{DscResourceTests.Module}'; & (Get-Module Fusis.Dsc) {{ $r = [{parts[0]}]::new(); " +
            string.Join("; ", parts[1].Split(';', StringSplitOptions.TrimEntries).Select(p => $"$r.{p}")) + "; try { $r.Test() } catch { Write-Error -ErrorRecord $_ } }";
        Assert.Equal(problem, Problem(Assert.Single(_host.Invoke(script).Errors), field));
        string[] dscArguments = dsc.Split(' ', 2);
        using var output = new StringWriter();
        using var messages = new StringWriter();
        int code = await DscCommand.RunAsync(["set", dscArguments[0]], new StringReader(dscArguments[1]), output, messages, () => new KernelView(_host.Kernel), DaemonState, Socket);
        Assert.Equal(DscCommand.InvalidInput, code);
        string message = JsonDocument.Parse(messages.ToString().Trim()).RootElement.GetProperty("error").GetString()!;
        Assert.All(problem, p => Assert.Contains(p, message, StringComparison.Ordinal));

        Assert.Equal(before, File.ReadAllText(DaemonState));
        Assert.Equal(["web"], _host.Kernel.GetServices().Select(s => Assert.Single(FileDesiredStateStore.Read(DaemonState).Services, d => d.Key == s.Key).Name));
        Assert.Empty(_host.Kernel.GetDestinations(Assert.Single(_host.Kernel.GetServices()).Key));
    }

    [Fact]
    public void While_the_daemon_runs_local_cmdlets_go_through_its_engine_which_alone_holds_the_desired_state()
    {
        Environment.SetEnvironmentVariable(Core.Backends.LocalBackend.SocketPathVariable, Socket);
        Environment.SetEnvironmentVariable(FusisCmdletBase.StatePathVariable, DaemonState);

        Assert.Throws<DesiredStateLockedException>(() => FileDesiredStateStore.Open(DaemonState, TimeSpan.FromMilliseconds(200)).Dispose());
        (var created, IReadOnlyList<ErrorRecord> errors) = _host.Invoke("New-FusisService -Name local1 -Address 198.18.0.7 -Port 80 -Scheduler rr");
        Assert.Empty(errors);
        Assert.Equal("local1", Assert.IsType<FusisService>(Assert.Single(created).BaseObject).Name);
        Assert.Equal(["local1", "web"], FileDesiredStateStore.Read(DaemonState).Services.Select(s => s.Name).Order());

        (var whatIf, errors) = _host.Invoke("New-FusisService -Name nope -Address 198.18.0.8 -Port 80 -WhatIf");
        Assert.Empty(errors);
        Assert.Empty(whatIf);
        Assert.DoesNotContain("nope", File.ReadAllText(DaemonState), StringComparison.Ordinal);

        (var listed, errors) = _host.Invoke("Get-FusisService local1 | New-FusisDestination 198.18.1.7 8080 -Weight 2 | ForEach-Object { $_.ServiceName + ' ' + $_.Weight }");
        Assert.Empty(errors);
        Assert.Equal(["local1 2"], listed.Select(o => o.ToString()));
        Assert.Equal(2, Assert.Single(_host.Kernel.GetDestinations(Netlink.Ipvs.IpvsServiceKey.ForEndPoint(Netlink.Ipvs.IpvsProtocol.Tcp, IPAddress.Parse("198.18.0.7"), 80))).Weight);
    }

    // The problems the ErrorRecord's FusisException names for one field (the exception Core threw, kept whole).
    private static string[] Problem(ErrorRecord record, string field)
    {
        FusisException refusal = Assert.IsType<FusisException>(record.Exception as FusisException ?? record.Exception.InnerException);
        Assert.True(refusal.Fields.ContainsKey(field), $"{refusal.Code}: {refusal.Message} names {string.Join(", ", refusal.Fields.Keys)}, not {field}");
        return refusal.Fields[field];
    }
}
