namespace Fusis.Netlink.Tests;

/// <summary>Golden bytes written as the kernel headers lay them out: "06 00 01 00 | 02 00 00 00".</summary>
internal static class Hex
{
    public static byte[] Bytes(string hex) =>
        Convert.FromHexString(new string(hex.Where(Uri.IsHexDigit).ToArray()));

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
