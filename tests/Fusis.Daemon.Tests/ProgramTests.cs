namespace Fusis.Daemon.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class ProgramTests
{
    [Fact]
    public void Version_prints_the_product_version_and_exits_zero()
    {
        var (code, stdout, _) = ConsoleCapture.Run(() => Program.Main(["--version"]).GetAwaiter().GetResult());

        Assert.Equal(0, code);
        Assert.Matches(@"^\d+\.\d+\.\d+", stdout.Trim());
        Assert.Equal(Program.Version, stdout.Trim());
    }

    [Theory]
    [InlineData(new string[0], "usage: fusis")]
    [InlineData(new[] { "frobnicate" }, "unknown command 'frobnicate'")]
    public void Unknown_or_missing_command_is_a_usage_error_on_stderr(string[] args, string expected)
    {
        var (code, stdout, stderr) = ConsoleCapture.Run(() => Program.Main(args).GetAwaiter().GetResult());

        Assert.Equal(Program.UsageExitCode, code);
        Assert.Empty(stdout);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }
}
