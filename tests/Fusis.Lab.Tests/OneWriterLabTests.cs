using System.Management.Automation;
using System.Net;
using System.Text.Json;
using Fusis.Core;
using Fusis.Core.State;

namespace Fusis.Lab.Tests;

/// <summary>
/// One writer per host, against the real kernel and the real `fusis balancer`: while it runs, local cmdlets and
/// `fusis dsc` go through its engine (over its local socket) and nothing else holds the desired state; without it,
/// the cmdlets run the engine themselves; with a daemon that does not answer, they refuse and change nothing.
/// </summary>
public sealed class OneWriterLabTests
{
    [Fact]
    public void With_the_daemon_running_a_cmdlet_an_API_request_and_fusis_dsc_go_through_its_engine_and_survive_a_restart()
    {
        LabKernel.RequireIpvs();
        using var daemon = new LabDaemon(TimeSpan.FromSeconds(30));
        using var local = new LocalMode(daemon);
        try
        {
            daemon.Start();
            Assert.Throws<DesiredStateLockedException>(() => FileDesiredStateStore.Open(daemon.StatePath, TimeSpan.FromMilliseconds(300)).Dispose());

            (var created, IReadOnlyList<ErrorRecord> errors) = local.Session.Invoke("New-FusisService -Name local1 -Address 198.18.81.1 -Port 80 -Scheduler rr");
            Assert.Empty(errors);
            Assert.Equal("local1", Assert.IsType<Core.Model.FusisService>(Assert.Single(created).BaseObject).Name);
            using (HttpResponseMessage api = daemon.Send(HttpMethod.Post, "/services", """{"Name":"api1","Address":"198.18.81.2","Port":80,"Scheduler":"rr"}"""))
            {
                Assert.Equal(HttpStatusCode.Created, api.StatusCode);
            }

            string dsc = LabKernel.Run(
                "env", $"FUSIS_SOCKET={daemon.SocketPath} FUSIS_STATE_PATH=/nonexistent/state.json {ClusterLab.Daemon} dsc set service",
                stdin: """{"name":"dsc1","address":"198.18.81.3","port":80,"scheduler":"rr"}""");
            Assert.Contains("\"_exist\":true", dsc, StringComparison.Ordinal);

            // -WhatIf through the daemon: its engine's plan, and no change.
            (var whatIf, errors) = local.Session.Invoke("New-FusisService -Name nope -Address 198.18.81.9 -Port 80 -WhatIf");
            Assert.Empty(errors);
            Assert.Empty(whatIf);

            string[] expected = ["api1", "dsc1", "local1"];
            Assert.Equal(expected, Names(daemon));
            Assert.Equal(0, daemon.Terminate());
            daemon.Start();

            Assert.Equal(expected, Names(daemon));
            Assert.Equal(expected, FileDesiredStateStore.Read(daemon.StatePath).Services.Select(s => s.Name).Order());
            string table = LabKernel.Run("ipvsadm", "-S -n");
            foreach (string vip in new[] { "198.18.81.1", "198.18.81.2", "198.18.81.3" })
            {
                Assert.Contains($"-A -t {vip}:80 -s rr", table, StringComparison.Ordinal);
            }

            Assert.DoesNotContain("198.18.81.9", table, StringComparison.Ordinal);
            Assert.False(File.Exists("/nonexistent/state.json"));
            (var listed, errors) = local.Session.Invoke("Get-FusisService -Name local1, api1, dsc1 | ForEach-Object Name");
            Assert.Empty(errors);
            Assert.Equal(["local1", "api1", "dsc1"], listed.Select(o => o.ToString()));
        }
        finally
        {
            foreach (string vip in new[] { "198.18.81.1", "198.18.81.2", "198.18.81.3" })
            {
                LabKernel.Run("ipvsadm", $"-D -t {vip}:80", check: false);
            }
        }
    }

    [Fact]
    public void Without_a_daemon_cmdlets_run_the_engine_and_with_one_that_does_not_answer_they_name_it_and_change_nothing()
    {
        LabKernel.RequireIpvs();
        using var daemon = new LabDaemon(TimeSpan.FromSeconds(30));
        using var local = new LocalMode(daemon);
        try
        {
            // No daemon: the cmdlet runs the engine in-process on the same desired state.
            (_, IReadOnlyList<ErrorRecord> errors) = local.Session.Invoke("New-FusisService -Name solo -Address 198.18.82.1 -Port 80 -Scheduler rr");
            Assert.Empty(errors);
            Assert.Equal(["solo"], FileDesiredStateStore.Read(daemon.StatePath).Services.Select(s => s.Name));
            Assert.Contains("-A -t 198.18.82.1:80 -s rr", LabKernel.Run("ipvsadm", "-S -n"), StringComparison.Ordinal);

            // A daemon that holds the desired state but whose local endpoint is gone (its folder removed by hand).
            daemon.Start();
            File.Move(daemon.SocketPath, daemon.SocketPath + ".moved");
            DesiredState before = FileDesiredStateStore.Read(daemon.StatePath);
            string table = LabKernel.Run("ipvsadm", "-S -n");
            (_, errors) = local.Session.Invoke("New-FusisService -Name blocked -Address 198.18.82.2 -Port 80");

            ErrorRecord error = Assert.Single(errors);
            Assert.Equal($"{nameof(FusisErrorCode.BalancerUnreachable)},Fusis.Commands.Commands.NewFusisServiceCommand", error.FullyQualifiedErrorId);
            Assert.Contains(daemon.SocketPath, error.Exception.Message, StringComparison.Ordinal);
            Assert.Equal(before, FileDesiredStateStore.Read(daemon.StatePath));
            Assert.Equal(table, LabKernel.Run("ipvsadm", "-S -n"));
        }
        finally
        {
            LabKernel.Run("ipvsadm", "-D -t 198.18.82.1:80", check: false);
            LabKernel.Run("ipvsadm", "-D -t 198.18.82.2:80", check: false);
        }
    }

    private static string[] Names(LabDaemon daemon)
    {
        using HttpResponseMessage response = daemon.Send(HttpMethod.Get, "/services");
        using JsonDocument services = JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
        return [.. services.RootElement.EnumerateArray().Select(s => s.GetProperty("Name").GetString()!).Order()];
    }

    // The module in local mode on this host, with the daemon's desired state and local socket as its own.
    private sealed class LocalMode : IDisposable
    {
        public LocalMode(LabDaemon daemon)
        {
            Environment.SetEnvironmentVariable("FUSIS_STATE_PATH", daemon.StatePath);
            Environment.SetEnvironmentVariable("FUSIS_SOCKET", daemon.SocketPath);
            Session = new PowerShellSession();
        }

        public PowerShellSession Session { get; }

        public void Dispose()
        {
            Session.Dispose();
            Environment.SetEnvironmentVariable("FUSIS_STATE_PATH", null);
            Environment.SetEnvironmentVariable("FUSIS_SOCKET", null);
        }
    }
}
