using System.Text;

namespace Fusis.TestSupport;

/// <summary>Reads Server-Sent Events off a response stream, as a browser's EventSource parses them (id, event, data lines; a blank line ends one).</summary>
public sealed class SseReader(Stream stream)
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8);

    /// <summary>The next event, or null when the stream ends.</summary>
    public async Task<SseMessage?> ReadAsync(CancellationToken cancellation)
    {
        string? id = null, type = null;
        var data = new StringBuilder();
        while (await _reader.ReadLineAsync(cancellation) is { } line)
        {
            if (line.Length == 0)
            {
                if (type is null && data.Length == 0 && id is null)
                {
                    continue;
                }

                return new SseMessage(id, type ?? "message", data.ToString());
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            string field = colon < 0 ? line : line[..colon];
            string value = colon < 0 ? string.Empty : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id":
                    id = value;
                    break;
                case "event":
                    type = value;
                    break;
                case "data":
                    data.Append(data.Length > 0 ? "\n" : string.Empty).Append(value);
                    break;
            }
        }

        return null;
    }
}
