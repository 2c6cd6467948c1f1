using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Fusis.Serf.Protocol;
using MessagePack;

namespace Fusis.Serf.Tests;

/// <summary>
/// A fake agent on loopback whose every connection runs a script: it reads requests as the real agent does
/// and answers with whatever bytes the test wants, including the hostile ones. A script that fails other than by its
/// connection going away (an assertion in it, say) fails the test when the agent is disposed.
/// </summary>
internal sealed class ScriptedAgent : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<AgentConnection, Task> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly System.Collections.Concurrent.ConcurrentBag<Task> _sessions = [];
    private int _connections;

    public ScriptedAgent(Func<AgentConnection, Task> script)
    {
        _script = script;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections => Volatile.Read(ref _connections);

    public SerfClientOptions Options(string? token = null) => new()
    {
        Port = Port,
        AuthKey = token,
        MinReconnectDelay = TimeSpan.FromMilliseconds(20),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();

        // Bounded: a script still waiting on a connection its client keeps open is a test that did not finish.
        await Task.WhenAll(_sessions).WaitAsync(TimeSpan.FromSeconds(10));
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
            int number = Interlocked.Increment(ref _connections);
            _sessions.Add(Task.Run(async () =>
            {
                using (client)
                {
                    var connection = new AgentConnection(client.GetStream(), number);
                    try
                    {
                        await _script(connection);
                    }
                    catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or EndOfStreamException)
                    {
                    }
                }
            }));
        }
    }

    internal sealed class AgentConnection(NetworkStream stream, int number)
    {
        private readonly MessagePackStreamReader _reader = new(stream, leaveOpen: true);

        /// <summary>1 for the first connection the agent accepted, 2 for the next...</summary>
        public int Number { get; } = number;

        /// <summary>Reads a request header and, for commands that take one, its body.</summary>
        public async Task<(string Command, ulong Seq)> ReadRequestAsync()
        {
            ReadOnlySequence<byte> header = await _reader.ReadAsync(CancellationToken.None) ?? throw new EndOfStreamException();
            string command = string.Empty;
            ulong seq = 0;
            var reader = new MessagePackReader(header);
            int count = reader.ReadMapHeader();
            for (int i = 0; i < count; i++)
            {
                switch (reader.ReadString())
                {
                    case "Command":
                        command = reader.ReadString()!;
                        break;
                    case "Seq":
                        seq = reader.ReadUInt64();
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            if (command is not (SerfCommands.Members or SerfCommands.Leave or SerfCommands.ListKeys or SerfCommands.Stats))
            {
                _ = await _reader.ReadAsync(CancellationToken.None) ?? throw new EndOfStreamException();
            }

            return (command, seq);
        }

        /// <summary>Reads the handshake (and auth) and accepts them, unless the token is wrong.</summary>
        public async Task AcceptHandshakeAsync(string? expectedToken = null)
        {
            (_, ulong seq) = await ReadRequestAsync();
            await ReplyAsync(seq);
            if (expectedToken is not null)
            {
                (_, seq) = await ReadRequestAsync();
                await ReplyAsync(seq);
            }
        }

        public async Task ReplyAsync(ulong seq, string error = "", byte[]? body = null)
        {
            var buffer = new ArrayBufferWriter<byte>();
            var writer = new MessagePackWriter(buffer);
            writer.WriteMapHeader(2);
            writer.Write("Error");
            writer.Write(error);
            writer.Write("Seq");
            writer.Write(seq);
            writer.Flush();
            await stream.WriteAsync(buffer.WrittenMemory);
            if (body is not null)
            {
                await stream.WriteAsync(body);
            }
        }

        public Task SendRawAsync(byte[] bytes) => stream.WriteAsync(bytes).AsTask();

        /// <summary>Waits until the client closes the connection (or a bound passes).</summary>
        public async Task DrainAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (await _reader.ReadAsync(timeout.Token) is not null)
            {
            }
        }
    }
}
