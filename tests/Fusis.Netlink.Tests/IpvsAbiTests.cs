using System.Text.RegularExpressions;
using Fusis.Netlink.Ipvs;

namespace Fusis.Netlink.Tests;

/// <summary>The C# ABI enums against the kernel's own header (linux-libc-dev's /usr/include/linux/ip_vs.h).</summary>
public sealed partial class IpvsAbiTests
{
    private const string HeaderPath = "/usr/include/linux/ip_vs.h";

    public static TheoryData<string, Type> Enums => new()
    {
        { "IPVS_CMD_", typeof(IpvsAbi.Command) },
        { "IPVS_CMD_ATTR_", typeof(IpvsAbi.CommandAttribute) },
        { "IPVS_SVC_ATTR_", typeof(IpvsAbi.ServiceAttribute) },
        { "IPVS_DEST_ATTR_", typeof(IpvsAbi.DestinationAttribute) },
        { "IPVS_DAEMON_ATTR_", typeof(IpvsAbi.DaemonAttribute) },
        { "IPVS_STATS_ATTR_", typeof(IpvsAbi.StatsAttribute) },
        { "IPVS_INFO_ATTR_", typeof(IpvsAbi.InfoAttribute) },
    };

    [Theory]
    [MemberData(nameof(Enums))]
    public void Enum_has_the_headers_members_in_the_headers_order(string prefix, Type type)
    {
        string[] header = HeaderEnum(prefix);
        ulong[] values = Enum.GetValues(type).Cast<object>().Select(Convert.ToUInt64).ToArray();

        Assert.Equal(header.Length, values.Length);
        Assert.Equal(Enumerable.Range(0, header.Length).Select(i => (ulong)i), values);
    }

    [Fact]
    public void Flag_and_forwarding_values_match_the_header_defines()
    {
        string text = File.ReadAllText(HeaderPath);

        AssertDefine(text, "IP_VS_SVC_F_PERSISTENT", (uint)IpvsServiceFlags.Persistent);
        AssertDefine(text, "IP_VS_SVC_F_HASHED", IpvsAbi.ServiceFlagHashed);
        AssertDefine(text, "IP_VS_SVC_F_ONEPACKET", (uint)IpvsServiceFlags.OnePacket);
        AssertDefine(text, "IP_VS_SVC_F_SCHED1", (uint)IpvsServiceFlags.SchedulerFallback);
        AssertDefine(text, "IP_VS_SVC_F_SCHED2", (uint)IpvsServiceFlags.SchedulerPort);
        AssertDefine(text, "IP_VS_SVC_F_SCHED3", (uint)IpvsServiceFlags.SchedulerFlag3);
        AssertDefine(text, "IP_VS_CONN_F_MASQ", (uint)IpvsForwardingMethod.Masquerade);
        AssertDefine(text, "IP_VS_CONN_F_LOCALNODE", (uint)IpvsForwardingMethod.Local);
        AssertDefine(text, "IP_VS_CONN_F_TUNNEL", (uint)IpvsForwardingMethod.Tunnel);
        AssertDefine(text, "IP_VS_CONN_F_DROUTE", (uint)IpvsForwardingMethod.DirectRoute);
        AssertDefine(text, "IP_VS_CONN_F_FWD_MASK", IpvsAbi.ForwardMask);
        AssertDefine(text, "IP_VS_STATE_MASTER", (uint)IpvsSyncDaemonState.Master);
        AssertDefine(text, "IP_VS_STATE_BACKUP", (uint)IpvsSyncDaemonState.Backup);
        AssertDefine(text, "IP_VS_SCHEDNAME_MAXLEN", (uint)IpvsAbi.SchedulerNameMaxLength);
        AssertDefine(text, "IP_VS_PENAME_MAXLEN", (uint)IpvsAbi.PersistenceEngineNameMaxLength);
        AssertDefine(text, "IP_VS_IFNAME_MAXLEN", (uint)IpvsAbi.InterfaceNameMaxLength);
        AssertDefine(text, "IP_VS_TUNNEL_ENCAP_FLAG_CSUM", (uint)IpvsTunnelChecksum.Checksum);
        AssertDefine(text, "IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM", (uint)IpvsTunnelChecksum.RemoteChecksum);
        Assert.Equal(["IP_VS_CONN_F_TUNNEL_TYPE_IPIP", "IP_VS_CONN_F_TUNNEL_TYPE_GUE", "IP_VS_CONN_F_TUNNEL_TYPE_GRE"],
            HeaderEnum("IP_VS_CONN_F_TUNNEL_TYPE_"));
        Assert.Equal([0, 1, 2], Enum.GetValues<IpvsTunnelType>().Select(v => (int)v));
        Assert.Contains($"#define IPVS_GENL_NAME\t\t\"{IpvsAbi.FamilyName}\"", text, StringComparison.Ordinal);
    }

    // The members of the anonymous enum whose first member starts with prefix, up to (not including) __..._MAX / ..._MAX.
    private static string[] HeaderEnum(string prefix)
    {
        Assert.True(File.Exists(HeaderPath), $"{HeaderPath} is missing: install linux-libc-dev");
        string text = File.ReadAllText(HeaderPath);
        foreach (Match block in EnumBlock().Matches(text))
        {
            string[] members = block.Groups[1].Value.Split(',')
                .Select(m => Regex.Replace(m, @"/\*.*?\*/", string.Empty, RegexOptions.Singleline).Split('=')[0].Trim())
                .Where(m => m.Length > 0)
                .ToArray();
            if (members.Length > 0 && members[0].StartsWith(prefix, StringComparison.Ordinal)
                && !members[0][prefix.Length..].Contains("ATTR_", StringComparison.Ordinal))
            {
                return members.TakeWhile(m => !m.EndsWith("_MAX", StringComparison.Ordinal)).ToArray();
            }
        }

        Assert.Fail($"no enum starting with {prefix} in {HeaderPath}");
        return [];
    }

    private static void AssertDefine(string header, string name, uint ours) => Assert.Equal(Define(header, name), ours);

    private static uint Define(string text, string name)
    {
        Match match = Regex.Match(text, $@"#define\s+{name}\s+\(?\s*(0x[0-9a-fA-F]+|\d+)(?:\s*<<\s*(\d+))?");
        Assert.True(match.Success, $"{name} not found in {HeaderPath}");
        string value = match.Groups[1].Value;
        uint number = value.StartsWith("0x", StringComparison.Ordinal)
            ? Convert.ToUInt32(value[2..], 16)
            : uint.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        return match.Groups[2].Success ? number << int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : number;
    }

    [GeneratedRegex(@"enum\s*\{([^}]*)\}", RegexOptions.Singleline)]
    private static partial Regex EnumBlock();
}
