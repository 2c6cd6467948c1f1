using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Fusis.Core.Model;

namespace Fusis.Core.Bgp;

/// <summary>
/// A client of BIRD's control socket (what birdc speaks, a stable text protocol): a command per line; each reply
/// line is a four-digit code and '-' (more follow) or ' ' (the last), or a space-led continuation of the entry before.
/// Codes 8xxx and 9xxx are errors. One command at a time.
/// </summary>
public sealed partial class BirdControl : IDisposable
{
    // The reply codes this client reads (BIRD's doc/reply_codes).
    private const int Welcome = 1;
    private const int ProtocolList = 1002;
    private const int ProtocolDetails = 1006;

    private readonly Socket _socket;
    private readonly StreamReader _reader;
    private readonly StreamWriter _writer;

    private BirdControl(Socket socket)
    {
        _socket = socket;
        var stream = new NetworkStream(socket, ownsSocket: false);
        _reader = new StreamReader(stream, Encoding.UTF8);
        _writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n", AutoFlush = true };
    }

    /// <summary>Connects to BIRD's control socket and reads its welcome.</summary>
    /// <exception cref="SocketException">No BIRD listens there.</exception>
    /// <exception cref="BirdCommandException">What listens there is not BIRD.</exception>
    public static async Task<BirdControl> ConnectAsync(string socketPath, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(socketPath);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellation).ConfigureAwait(false);
            var control = new BirdControl(socket);
            IReadOnlyList<BirdReply> welcome = await control.ReadReplyAsync(cancellation).ConfigureAwait(false);
            if (welcome is not [{ Code: Welcome }])
            {
                control.Dispose();
                throw new BirdCommandException($"{socketPath} did not greet as BIRD does ({string.Join(" | ", welcome.Select(l => $"{l.Code} {l.Text}"))})");
            }

            return control;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends one command and reads its whole reply.</summary>
    /// <exception cref="BirdCommandException">BIRD refused it.</exception>
    public async Task<IReadOnlyList<BirdReply>> CommandAsync(string command, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("a BIRD command is one line", nameof(command));
        }

        await _writer.WriteLineAsync(command.AsMemory(), cancellation).ConfigureAwait(false);
        IReadOnlyList<BirdReply> reply = await ReadReplyAsync(cancellation).ConfigureAwait(false);
        if (reply.FirstOrDefault(l => l.Code >= 8000) is { Code: > 0 } error)
        {
            throw new BirdCommandException(error.Code, string.Join(' ', reply.Where(l => l.Code == error.Code).Select(l => l.Text.Trim())));
        }

        return reply;
    }

    /// <summary>Has BIRD read <paramref name="configurationPath"/> and switch to it without a restart (sessions kept).</summary>
    /// <exception cref="BirdCommandException">The configuration does not parse, or BIRD cannot read it.</exception>
    public Task ConfigureAsync(string configurationPath, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(configurationPath);
        if (configurationPath.Contains('"', StringComparison.Ordinal))
        {
            throw new ArgumentException("the path holds a quote", nameof(configurationPath));
        }

        return CommandAsync($"configure \"{configurationPath}\"", cancellation);
    }

    /// <summary>The BGP sessions (BIRD's <c>show protocols all</c>, BGP ones only).</summary>
    public async Task<IReadOnlyList<FusisBgpSession>> GetBgpSessionsAsync(CancellationToken cancellation = default)
    {
        IReadOnlyList<BirdReply> reply = await CommandAsync("show protocols all", cancellation).ConfigureAwait(false);
        var sessions = new List<FusisBgpSession>();
        FusisBgpSession? current = null;
        foreach (BirdReply line in reply)
        {
            if (line.Code == ProtocolList)
            {
                Flush();
                Match row = ProtocolRow().Match(line.Text);
                current = row.Success && row.Groups["proto"].Value == "BGP"
                    ? new FusisBgpSession(row.Groups["name"].Value, null, row.Groups["state"].Value, row.Groups["info"].Value.Trim().Split(" ", 2)[0], Since(row.Groups["since"].Value), 0)
                    : null;
            }
            else if (line.Code == ProtocolDetails && current is not null)
            {
                string text = line.Text.Trim();
                if (text.StartsWith("BGP state:", StringComparison.Ordinal))
                {
                    current = current with { BgpState = text["BGP state:".Length..].Trim() };
                }
                else if (text.StartsWith("Neighbor address:", StringComparison.Ordinal) && IPAddress.TryParse(text["Neighbor address:".Length..].Trim(), out IPAddress? neighbor))
                {
                    current = current with { Peer = neighbor.ToString() };
                }
                else if (RoutesRow().Match(text) is { Success: true } routes)
                {
                    current = current with { Announced = current.Announced + int.Parse(routes.Groups["exported"].Value, CultureInfo.InvariantCulture) };
                }
            }
        }

        Flush();
        return sessions;

        void Flush()
        {
            if (current is not null)
            {
                sessions.Add(current);
            }
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _writer.Dispose();
        _socket.Dispose();
    }

    private async Task<IReadOnlyList<BirdReply>> ReadReplyAsync(CancellationToken cancellation)
    {
        var lines = new List<BirdReply>();
        int code = 0;
        while (true)
        {
            string line = await _reader.ReadLineAsync(cancellation).ConfigureAwait(false)
                ?? throw new BirdCommandException("BIRD closed its control socket in the middle of a reply");
            if (line.StartsWith(' '))
            {
                lines.Add(new BirdReply(code, line[1..]));
                continue;
            }

            if (line.Length < 5 || !int.TryParse(line.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out code) || line[4] is not ('-' or ' '))
            {
                throw new BirdCommandException($"not a BIRD reply line: '{line}'");
            }

            lines.Add(new BirdReply(code, line[5..]));
            if (line[4] == ' ')
            {
                return lines;
            }
        }
    }

    // BIRD's local time, as `timeformat protocol iso long` writes it.
    private static DateTimeOffset? Since(string text) =>
        DateTime.TryParseExact(text, ["yyyy-MM-dd HH:mm:ss.FFF", "yyyy-MM-dd HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out DateTime since)
            ? new DateTimeOffset(since) : null;

    [GeneratedRegex(@"^(?<name>\S+)\s+(?<proto>\S+)\s+(?<table>\S+)\s+(?<state>\S+)\s+(?<since>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)\s*(?<info>.*)$")]
    private static partial Regex ProtocolRow();

    [GeneratedRegex(@"^Routes:\s+\d+ imported, (?<exported>\d+) exported")]
    private static partial Regex RoutesRow();
}
