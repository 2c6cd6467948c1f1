using System.Buffers;

namespace Fusis.Serf.Tests;

/// <summary>A captured vector file: one msgpack object a line, "&lt;role&gt; &lt;hex&gt;", comments with '#'.</summary>
internal static class Fixture
{
    public static IReadOnlyList<(string Role, byte[] Bytes)> Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
        return File.ReadLines(path)
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split(' ', 2))
            .Select(parts => (parts[0], Convert.FromHexString(parts[1].Trim())))
            .ToList();
    }

    /// <summary>The n-th (0-based) object with this role.</summary>
    public static ReadOnlySequence<byte> Get(string name, string role, int index = 0) =>
        new(Load(name).Where(o => o.Role == role).ElementAt(index).Bytes);
}
