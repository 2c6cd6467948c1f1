using System.Buffers;
using CsCheck;
using Fusis.Serf.Protocol;

namespace Fusis.Serf.Tests;

/// <summary>
/// Random, truncated and mutated frames: every decoder either decodes or throws SerfProtocolException, within a
/// bound (a hang fails the test). Whole bodies and some mutations must decode: a decoder that refused everything
/// would fail.
/// </summary>
public sealed class DecoderFuzzTests
{
    // Generous: the whole test takes well under a second; a decoder that loops never finishes.
    private const int HangBound = 60_000;

    // Vector files only: timings-*.txt and request-leniency.txt are prose.
    private static readonly byte[][] Captured = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures"), "*.txt")
        .Where(f => !Path.GetFileName(f).StartsWith("timings-", StringComparison.Ordinal) && !f.EndsWith("request-leniency.txt", StringComparison.Ordinal))
        .SelectMany(f => Fixture.Load(Path.GetFileName(f)))
        .Where(o => o.Role.EndsWith("-body", StringComparison.Ordinal))
        .Select(o => o.Bytes)
        .ToArray();

    [Fact(Timeout = HangBound)]
    public Task Random_bytes() => Task.Run(() => Gen.Byte.Array[0, 200].Sample(b => { DecodeEverything(b); }, iter: 10_000), TestContext.Current.CancellationToken);

    [Fact(Timeout = HangBound)]
    public Task Every_truncation_of_every_captured_body() => Task.Run(() =>
    {
        Assert.NotEmpty(Captured);
        foreach (byte[] body in Captured)
        {
            for (int length = 0; length < body.Length; length++)
            {
                DecodeEverything(body[..length]);
            }

            Assert.True(DecodeEverything(body) > 0, $"no decoder accepts the captured body {Convert.ToHexString(body)}");
        }
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = HangBound)]
    public Task Mutations_of_captured_bodies() => Task.Run(() =>
    {
        int decoded = 0;
        Gen.Select(Gen.Int[0, Captured.Length - 1], Gen.Int, Gen.Byte).Sample(
            m =>
            {
                byte[] body = (byte[])Captured[m.Item1].Clone();
                body[(int)((uint)m.Item2 % body.Length)] = m.Item3;
                Interlocked.Add(ref decoded, DecodeEverything(body) > 0 ? 1 : 0);
            },
            iter: 10_000);

        // Most bytes of a body are string and number contents: changing one leaves it decodable.
        Assert.True(decoded > 1_000, $"only {decoded} of 10,000 one-byte mutations decoded");
    }, TestContext.Current.CancellationToken);

    [Fact]
    public void Hostile_nesting_is_refused()
    {
        // {"X": [[[[...]]]]} 1,000 levels deep under an unknown key.
        byte[] deep = [0x81, 0xa1, (byte)'X', .. Enumerable.Repeat((byte)0x91, 1000), 0xc0];

        Assert.Throws<SerfProtocolException>(() => SerfCodec.ReadMembers(new ReadOnlySequence<byte>(deep)));
    }

    // How many decoders accepted the bytes.
    private static int DecodeEverything(byte[] bytes)
    {
        var frame = new ReadOnlySequence<byte>(bytes);
        return Decode(() => SerfCodec.ReadHeader(frame))
            + Decode(() => SerfCodec.ReadMembers(frame))
            + Decode(() => SerfCodec.ReadEvent(frame))
            + Decode(() => SerfCodec.ReadQueryRecord(frame))
            + Decode(() => SerfCodec.ReadKeyResponse(frame))
            + Decode(() => SerfCodec.ReadStats(frame))
            + Decode(() => SerfCodec.ReadCoordinate(frame))
            + Decode(() => SerfCodec.ReadLogLine(frame))
            + Decode(() => SerfCodec.ReadJoinCount(frame));
    }

    private static int Decode<T>(Func<T> decode)
    {
        try
        {
            decode();
            return 1;
        }
        catch (SerfProtocolException)
        {
            return 0;
        }
    }
}
