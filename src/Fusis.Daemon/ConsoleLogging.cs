using Microsoft.Extensions.Logging;

namespace Fusis.Daemon;

/// <summary>
/// One line per event on stdout with a UTC timestamp (journald adds its own metadata; under systemd the host
/// switches to the systemd format with priorities). Framework chatter only from warnings up.
/// </summary>
internal static class ConsoleLogging
{
    public static void Configure(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        logging.AddFilter("Microsoft", LogLevel.Warning);
    }
}
