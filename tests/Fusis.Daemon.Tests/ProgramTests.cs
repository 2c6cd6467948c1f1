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
}
