using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Fusis.Daemon;

/// <summary>
/// One line per event. Under systemd each line starts with its syslog priority (&lt;3&gt; error, &lt;4&gt; warning,
/// &lt;6&gt; information), which journald keeps, and no timestamp (journald adds its own); elsewhere a UTC timestamp.
/// Framework chatter only from warnings up.
/// </summary>
internal static class ConsoleLogging
{
    public static void Configure(ILoggingBuilder logging) => Configure(logging, SystemdHelpers.IsSystemdService());

    internal static void Configure(ILoggingBuilder logging, bool underSystemd)
    {
        logging.ClearProviders();
        if (underSystemd)
        {
            logging.AddSystemdConsole();
        }
        else
        {
            logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.UseUtcTimestamp = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }

        logging.AddFilter("Microsoft", LogLevel.Warning);
    }
}
