using System.Management.Automation;
using System.Net;
using Fusis.Core.Model;
using Fusis.Core.State;
using Fusis.Daemon.Balancer;
using Fusis.Netlink.Ipvs;
using Fusis.TestSupport;
using Microsoft.AspNetCore.Builder;

namespace Fusis.Commands.Tests;

/// <summary>The cmdlets with -Balancer against a real balancer daemon on loopback (over an in-memory kernel).</summary>
public sealed class RemoteModeTests : IAsyncLifetime
{
    private const string Token = "remote-mode-token-0123456789";
    private static readonly IpvsServiceKey Web = IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse("198.18.0.1"), 80);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fusis-remote-");
    private readonly MemoryIpvsKernel _kernel = new();
    private WebApplication _daemon = null!;
    private CmdletHost _host = null!;
    private string _url = string.Empty;

    public async ValueTask InitializeAsync()
    {
        string tokenFile = Path.Combine(_folder.FullName, "token");
        await File.WriteAllTextAsync(tokenFile, Token);
        _daemon = BalancerHost.Build(
            ["--listen", "127.0.0.1:0", "--state", Path.Combine(_folder.FullName, "daemon.json"), "--local-socket", Path.Combine(_folder.FullName, "fusis.sock"), "--reconcile-interval", "01:00:00", "--token-file", tokenFile],
            () => _kernel);
        await _daemon.StartAsync();
        _url = _daemon.Urls.Single(u => !u.StartsWith("http://unix:", StringComparison.Ordinal));
        _host = new CmdletHost(DesiredState.Empty); // its own local kernel and store, which remote mode must not touch
    }

    public async ValueTask DisposeAsync()
    {
        _host.Dispose();
        await _daemon.StopAsync();
        await _daemon.DisposeAsync();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public void Every_service_and_destination_cmdlet_works_against_the_balancer_with_the_same_objects()
    {
        string remote = $"-Balancer {_url} -Token (ConvertTo-SecureString '{Token}' -AsPlainText)";

        var created = Single<FusisService>($"New-FusisService -Name web -Address 198.18.0.1 -Port 80 -Scheduler rr {remote}");
        var added = Single<FusisDestination>($"Get-FusisService web {remote} | New-FusisDestination 198.18.1.1 8080 -Weight 2 {remote}");
        Run($"New-FusisDestination -ServiceName web 198.18.1.2 8080 {remote}");
        Run($"Set-FusisDestination -ServiceName web 198.18.1.1 8080 -Weight 0 {remote}");
        Run($"Set-FusisService web -Scheduler sh -NewName www {remote}");
        var listed = Run($"Get-FusisService {remote}").Select(o => (FusisService)o.BaseObject).ToList();
        var destinations = Run($"Get-FusisDestination www {remote}").Select(o => (FusisDestination)o.BaseObject).ToList();
        var info = Single<FusisInfo>($"Get-FusisInfo {remote}");

        Assert.Equal(("web", "TCP 198.18.0.1:80", "rr"), (created.Name, created.Service, created.Scheduler));
        Assert.Equal(("web", "198.18.1.1", 8080, 2), (added.ServiceName, added.Address, added.Port, added.Weight));
        Assert.Equal(("www", "sh", 2), (Assert.Single(listed).Name, listed[0].Scheduler, listed[0].Destinations));
        Assert.Equal([0, 1], destinations.Select(d => d.Weight));
        Assert.Equal([0, 1], _kernel.GetDestinations(Web).Select(d => d.Weight).Reverse()); // the kernel lists the newest first
        Assert.Equal(1, info.Services);
        Assert.Empty(_host.Kernel.GetServices()); // local mode's kernel was never touched

        Run($"Remove-FusisDestination -ServiceName www 198.18.1.2 8080 -Confirm:$false {remote}");
        Assert.Single(_kernel.GetDestinations(Web));
        Run($"Get-FusisService www {remote} | Remove-FusisService -Confirm:$false {remote}");
        Assert.Empty(_kernel.GetServices());
    }

    [Fact]
    public void Name_completion_asks_the_balancer_given_on_the_command_line()
    {
        Run($"New-FusisService -Name remote-only -Address 198.18.0.5 -Port 80 -Balancer {_url} -Token (ConvertTo-SecureString '{Token}' -AsPlainText)");

        var completions = new ServiceNameCompleter().CompleteArgument(
            "New-FusisDestination", "ServiceName", "rem", null!, new System.Collections.Hashtable { ["Balancer"] = _url }).ToList();

        Assert.Equal(["remote-only"], completions.Select(c => c.CompletionText));
        Assert.Empty(new ServiceNameCompleter().CompleteArgument("New-FusisDestination", "ServiceName", "rem", null!, new System.Collections.Hashtable()));
    }

    [Fact]
    public void WhatIf_asks_the_balancer_for_its_plan_and_changes_nothing_and_the_token_can_come_from_the_environment()
    {
        Run($"$env:FUSIS_TOKEN = '{Token}'; try {{ New-FusisService -Name web -Address 198.18.0.1 -Port 80 -WhatIf -Balancer {_url} }} finally {{ $env:FUSIS_TOKEN = $null }}");

        Assert.Empty(_kernel.GetServices());
        // The plan is the balancer's answer to a dry run: its engine's kernel operations.
        Assert.Equal([$"What if: Performing the operation \"change the desired state through the balancer at {_url}/: add service TCP 198.18.0.1:80 (scheduler wlc)\" on target \"web\"."], _host.Host.Lines);
    }

    [Theory]
    [InlineData("New-FusisService -Name web -Address 198.18.0.1 -Port 80 {0}; New-FusisService -Name web -Address 198.18.0.2 -Port 80 {0}", "ServiceExists,Fusis.Commands.Commands.NewFusisServiceCommand")]
    [InlineData("New-FusisService -Name web -Address 198.18.0.1 -Port 80 -Balancer {1}", "PermissionDenied,Fusis.Commands.Commands.NewFusisServiceCommand")]
    [InlineData("Set-FusisService nosuch -Scheduler rr {0}", "ServiceNotFound,Fusis.Commands.Commands.SetFusisServiceCommand")]
    [InlineData("New-FusisService -Name web -Address 198.18.0.1 -Port 80 -Balancer http://127.0.0.1:9", "BalancerUnreachable,Fusis.Commands.Commands.NewFusisServiceCommand")]
    [InlineData("Get-FusisService -Balancer ftp://example.invalid/", "InvalidArgument,Fusis.Commands.Commands.GetFusisServiceCommand")]
    public void Refusals_are_ErrorRecords_with_stable_ids(string script, string id)
    {
        string remote = $"-Balancer {_url} -Token (ConvertTo-SecureString '{Token}' -AsPlainText)";

        IReadOnlyList<ErrorRecord> errors = _host.Invoke(string.Format(System.Globalization.CultureInfo.InvariantCulture, script, remote, _url)).Errors;

        Assert.Equal(id, Assert.Single(errors).FullyQualifiedErrorId);
    }

    [Fact]
    public async Task Get_FusisEvent_reads_the_history_filters_it_and_with_Wait_writes_what_happens_next_until_a_downstream_First_is_done()
    {
        string remote = $"-Balancer {_url} -Token (ConvertTo-SecureString '{Token}' -AsPlainText)";
        Run($"New-FusisService -Name web -Address 198.18.0.1 -Port 80 -Scheduler rr {remote}");
        Run($"New-FusisDestination -ServiceName web 198.18.1.1 8080 {remote}");

        var history = Run($"Get-FusisEvent {remote}").Select(o => (Fusis.Core.Events.FusisEvent)o.BaseObject).ToList();
        var added = Run($"Get-FusisEvent -Type destination-added -ServiceName web {remote}").Select(o => (Fusis.Core.Events.FusisEvent)o.BaseObject).ToList();
        // A runbook waiting for a change another client makes: the cmdlet waits, the change comes, the first one ends it.
        var waited = Task.Run(() => Run($"Get-FusisEvent -After {history[^1].Id} -Wait -Timeout 00:00:30 -Type destination-draining {remote} | Select-Object -First 1"));
        await Task.Delay(500, TestContext.Current.CancellationToken);
        using (var http = new HttpClient { BaseAddress = new Uri(_url) })
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
            Assert.True((await http.PostAsync("/services/web/destinations/198.18.1.1:8080/drain", null, TestContext.Current.CancellationToken)).IsSuccessStatusCode);
        }

        var drained = (Fusis.Core.Events.FusisEvent)Assert.Single(await waited).BaseObject;
        var timedOut = Run($"Get-FusisEvent -After {drained.Id} -Wait -Timeout 00:00:01 {remote}");

        Assert.Equal(["service-created", "destination-added"], history.Select(e => e.Type));
        Assert.Equal([("web", "198.18.1.1:8080")], added.Select(e => (e.Service, e.Destination)));
        Assert.Equal(("destination-draining", "POST /services/web/destinations/198.18.1.1:8080/drain"), (drained.Type, drained.Reason));
        Assert.Empty(timedOut);
        (_, IReadOnlyList<ErrorRecord> errors) = _host.Invoke($"Get-FusisEvent -Type service-exploded {remote}");
        Assert.Equal("InvalidArgument,Fusis.Commands.Commands.GetFusisEventCommand", Assert.Single(errors).FullyQualifiedErrorId);
    }

    private T Single<T>(string script) => Assert.IsType<T>(Assert.Single(Run(script)).BaseObject);

    private System.Collections.ObjectModel.Collection<PSObject> Run(string script)
    {
        (var output, IReadOnlyList<ErrorRecord> errors) = _host.Invoke(script);
        Assert.Empty(errors);
        return output;
    }
}
