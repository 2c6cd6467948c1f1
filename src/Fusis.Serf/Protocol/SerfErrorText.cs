namespace Fusis.Serf.Protocol;

/// <summary>The agent's fixed error strings (cmd/serf/command/agent/ipc.go).</summary>
public static class SerfErrorText
{
    public const string UnsupportedCommand = "Unsupported command";
    public const string UnsupportedIpcVersion = "Unsupported IPC version";
    public const string DuplicateHandshake = "Handshake already performed";
    public const string HandshakeRequired = "Handshake required";
    public const string MonitorExists = "Monitor already exists";
    public const string InvalidFilter = "Invalid event filter";
    public const string StreamExists = "Stream with given sequence exists";
    public const string InvalidQueryId = "No pending queries matching ID";
    public const string AuthRequired = "Authentication required";
    public const string InvalidAuthToken = "Invalid authentication token";

    /// <summary>These errors never carry a body, whatever the command.</summary>
    public static bool SuppressesBody(string error) => error is HandshakeRequired or AuthRequired or UnsupportedCommand;

    /// <summary>After these the agent closes the connection.</summary>
    public static bool ClosesConnection(string error) => error is HandshakeRequired or UnsupportedCommand;
}
