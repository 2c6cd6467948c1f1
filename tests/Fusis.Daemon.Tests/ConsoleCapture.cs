namespace Fusis.Daemon.Tests;

/// <summary>Runs code with <see cref="Console"/> redirected; callers share <see cref="ConsoleCollection"/> so they never overlap.</summary>
internal static class ConsoleCapture
{
    public static (int Code, string Stdout, string Stderr) Run(Func<int> action)
    {
        TextWriter oldOut = Console.Out, oldErr = Console.Error;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            int code = action();
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }
}
