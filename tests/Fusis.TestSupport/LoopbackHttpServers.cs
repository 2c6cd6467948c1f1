using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fusis.TestSupport;

/// <summary>HTTP servers on 127.0.0.1 and ::1 answering 200 to anything: the only destinations a campaign's checks can probe.</summary>
public sealed class LoopbackHttpServers : IDisposable
{
    private readonly List<TcpListener> _listeners = [];
    private readonly List<int> _ports = [];
    private readonly CancellationTokenSource _stop = new();

    public LoopbackHttpServers(int count)
    {
        while (_ports.Count < count)
        {
            // The same port on 127.0.0.1 and ::1, so that a destination of either family answers.
            var v4 = new TcpListener(IPAddress.Loopback, 0);
            v4.Start();
            int port = ((IPEndPoint)v4.LocalEndpoint).Port;
            var v6 = new TcpListener(IPAddress.IPv6Loopback, port);
            try
            {
                v6.Start();
            }
            catch (SocketException)
            {
                v4.Stop();
                continue;
            }

            _ports.Add(port);
            foreach (TcpListener listener in new[] { v4, v6 })
            {
                _listeners.Add(listener);
                _ = Task.Run(() => ServeAsync(listener));
            }
        }
    }

    public int[] Ports => [.. _ports];

    public void Dispose()
    {
        _stop.Cancel();
        _listeners.ForEach(l => l.Stop());
        _stop.Dispose();
    }

    // Each connection: read what comes within a second (a TCP check sends nothing), answer, close.
    private async Task ServeAsync(TcpListener listener)
    {
        byte[] answer = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        using var read = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                        NetworkStream stream = client.GetStream();
                        _ = await stream.ReadAsync(new byte[4096], read.Token);
                        await stream.WriteAsync(answer);
                    }
                    catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
                    {
                    }
                }
            });
        }
    }
}
