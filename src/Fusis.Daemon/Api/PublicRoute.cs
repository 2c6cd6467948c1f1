namespace Fusis.Daemon.Api;

/// <summary>Marks a route that needs no token anywhere (the status page's HTML, which holds no data: what it shows, it reads with the token rules of reads).</summary>
internal sealed class PublicRoute
{
    public static PublicRoute Instance { get; } = new();

    private PublicRoute()
    {
    }
}
