using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fusis.Lab.Tests;

/// <summary>
/// The unit is Type=notify: systemd starts what depends on the balancer when it says READY=1, so READY must mean
/// that the API answers, and a stop must say STOPPING=1. Read on a real AF_UNIX datagram socket, as systemd reads it.
/// </summary>
public sealed class SystemdNotifyLabTests
{
    [Fact]
    public async Task The_balancer_says_READY_only_once_its_API_answers_and_STOPPING_when_stopped()
    {
        LabKernel.RequireIpvs();
        DirectoryInfo folder = Directory.CreateTempSubdirectory("fusis-notify-");
        try
        {
            string path = Path.Combine(folder.FullName, "notify");
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(path));
            socket.ReceiveTimeout = 90_000;
            using var daemon = new LabDaemon(TimeSpan.FromSeconds(30), notifySocket: path);
            var messages = new List<string>();
            HttpStatusCode? healthAtReady = null;
            var reader = Task.Run(() =>
            {
                var buffer = new byte[4096];
                while (!messages.Contains("STOPPING=1"))
                {
                    string message = Encoding.UTF8.GetString(buffer, 0, socket.Receive(buffer)).Trim();
                    lock (messages)
                    {
                        messages.Add(message);
                    }

                    if (message.Contains("READY=1", StringComparison.Ordinal))
                    {
                        using HttpResponseMessage health = daemon.Client.GetAsync(new Uri("/health", UriKind.Relative)).GetAwaiter().GetResult();
                        healthAtReady = health.StatusCode;
                    }
                }
            });

            TimeSpan started = daemon.Start();
            Assert.True(SpinWait.SpinUntil(() => healthAtReady is not null, TimeSpan.FromSeconds(30)), $"no READY=1 on NOTIFY_SOCKET: {string.Join(" | ", messages)}\n{daemon.Log}");
            Assert.Equal(HttpStatusCode.OK, healthAtReady);
            int exitCode = daemon.Terminate();
            Assert.True(await Task.WhenAny(reader, Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken)) == reader, $"no STOPPING=1 after SIGTERM: {string.Join(" | ", messages)}");
            await reader; // its failure, if it failed

            Console.WriteLine($"systemd notify: {string.Join(" | ", messages)} (API up {started.TotalSeconds:0.0} s after start, emulated); exit code {exitCode}");
            Assert.Equal(0, exitCode);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
