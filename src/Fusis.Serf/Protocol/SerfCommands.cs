namespace Fusis.Serf.Protocol;

/// <summary>Command names of the agent's RPC protocol (version 1), and which replies carry a body.</summary>
public static class SerfCommands
{
    public const string Handshake = "handshake";
    public const string Auth = "auth";
    public const string Event = "event";
    public const string ForceLeave = "force-leave";
    public const string Join = "join";
    public const string Members = "members";
    public const string MembersFiltered = "members-filtered";
    public const string Tags = "tags";
    public const string Stream = "stream";
    public const string Monitor = "monitor";
    public const string Stop = "stop";
    public const string Leave = "leave";
    public const string Query = "query";
    public const string Respond = "respond";
    public const string InstallKey = "install-key";
    public const string UseKey = "use-key";
    public const string RemoveKey = "remove-key";
    public const string ListKeys = "list-keys";
    public const string Stats = "stats";
    public const string GetCoordinate = "get-coordinate";

    /// <summary>Whether the agent follows this command's reply header with a body, even when Error is set.</summary>
    public static bool ReplyHasBody(string command) => command is Join or Members or MembersFiltered or InstallKey or UseKey
        or RemoveKey or ListKeys or Stats or GetCoordinate;

    /// <summary>Whether the command opens a subscription (an ack, then records with the same sequence number).</summary>
    public static bool IsSubscription(string command) => command is Stream or Monitor or Query;
}
