using System.Net;
using System.Text.Json;

namespace Fusis.Daemon.Balancer;

/// <summary>
/// The VIPs the balancer put on its VIP interface, remembered beside the desired state (state.json.vips.json): it
/// removes only addresses it added itself, also after a crash.
/// </summary>
internal sealed class VipLedger(string statePath)
{
    private readonly string _path = statePath + ".vips.json";

    public HashSet<IPAddress> Read()
    {
        try
        {
            return JsonSerializer.Deserialize<List<string>>(File.ReadAllBytes(_path))?.Select(IPAddress.Parse).ToHashSet() ?? [];
        }
        catch (FileNotFoundException)
        {
            return [];
        }
    }

    public void Write(HashSet<IPAddress> added)
    {
        string temporary = _path + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(added.Select(a => a.ToString()).Order(StringComparer.Ordinal).ToList()));
        File.Move(temporary, _path, overwrite: true);
    }
}
