namespace Fusis.Serf;

/// <summary>Where the agent's RPC listens and how to reach it.</summary>
public sealed record SerfClientOptions
{
    public const string DefaultHost = "127.0.0.1";
    public const int DefaultPort = 7373;

    public string Host { get; init; } = DefaultHost;

    public int Port { get; init; } = DefaultPort;

    /// <summary>The agent's rpc_auth token, or null when it has none.</summary>
    public string? AuthKey { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>First delay before a subscription reconnects; it doubles up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan MinReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Parses "host:port", "[v6]:port" or "host" (default port), as SERF_RPC_ADDR holds it.</summary>
    public static SerfClientOptions FromAddress(string address, string? authKey = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        string host = address;
        int port = DefaultPort;
        int colon = address.LastIndexOf(':');
        if (colon > 0 && address.IndexOf(']', StringComparison.Ordinal) < colon && (address[0] == '[' || address.IndexOf(':', StringComparison.Ordinal) == colon))
        {
            host = address[..colon];
            if (!int.TryParse(address[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                throw new ArgumentException($"'{address}' has no valid port (1-65535)", nameof(address));
            }
        }

        return new SerfClientOptions { Host = host.Trim('[', ']'), Port = port, AuthKey = authKey };
    }
}
