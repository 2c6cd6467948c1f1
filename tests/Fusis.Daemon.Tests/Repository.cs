namespace Fusis.Daemon.Tests;

/// <summary>Where the checkout is (the test binaries sit below it), for files the tests read from it.</summary>
internal static class Repository
{
    public static string Root
    {
        get
        {
            var folder = new DirectoryInfo(AppContext.BaseDirectory);
            while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Fusis.slnx")))
            {
                folder = folder.Parent;
            }

            return folder?.FullName ?? throw new InvalidOperationException("the repository root is not above the test binaries");
        }
    }
}
