using System.Globalization;
using Fusis.Core.Reconcile;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.TestSupport;

/// <summary>
/// Sends generated requests (<see cref="CampaignRequest"/>) to a balancer on one keep-alive client and checks, after
/// each, what #18 demands: no 5xx, no dropped connection; a refusal, a read or a dry run changed neither the kernel
/// nor the state saved at <paramref name="statePath"/> (the state, not the files' bytes, which a refused change
/// rewrites when it is the one that makes the store fold its journal into the document); an accepted change is in
/// the kernel exactly (a reconcile of the saved state plans nothing). A violation throws, with the request, for
/// CsCheck to shrink and print.
/// </summary>
public sealed class ApiCampaign(HttpClient client, IIpvsKernel kernel, string statePath)
{
    public int Sent { get; private set; }

    public SortedDictionary<int, int> Statuses { get; } = [];

    /// <summary>FUSISTEST_CAMPAIGN_SEED, to repeat a run, or a new one.</summary>
    public static string Seed() =>
        Environment.GetEnvironmentVariable("FUSISTEST_CAMPAIGN_SEED") is { Length: > 0 } given ? given : Guid.NewGuid().ToString("N")[..12];

    public void Check(CampaignRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string kernelBefore = Snapshot(kernel);
        DesiredState savedBefore = Saved(statePath);
        HttpResponseMessage response;
        try
        {
            response = client.Send(request.ToMessage());
        }
        catch (HttpRequestException e)
        {
            throw new InvalidOperationException($"{request}: the connection was dropped: {e.Message}", e);
        }

        using (response)
        {
            int status = (int)response.StatusCode;
            Sent++;
            Statuses[status] = Statuses.GetValueOrDefault(status) + 1;
            string body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            Violated(status >= 500, request, $"{status}: {body}");
            if (status is >= 200 and < 300 && request.Method is not ("GET" or "HEAD") && !request.DryRun)
            {
                IReadOnlyList<IpvsOperation> plan = Reconciler.Preview(Saved(statePath), kernel);
                Violated(plan.Count > 0, request, $"{status}, yet the kernel is not the saved state: {string.Join("; ", plan)}");
            }
            else
            {
                string kernelAfter = Snapshot(kernel);
                Violated(kernelBefore != kernelAfter, request, $"{status} changed the kernel: {body}\nbefore: {string.Join(" | ", kernelBefore.Split('\n').Except(kernelAfter.Split('\n')))}\nafter: {string.Join(" | ", kernelAfter.Split('\n').Except(kernelBefore.Split('\n')))}");
                Violated(!savedBefore.Equals(Saved(statePath)), request, $"{status} changed the saved state: {body}");
            }
        }
    }

    public string Summary(string seed, TimeSpan elapsed) => string.Create(CultureInfo.InvariantCulture,
        $"{Sent} requests in {elapsed.TotalSeconds:0.0} s, seed {seed}, 0 invariant violations; statuses {string.Join(", ", Statuses.Select(s => $"{s.Key} x{s.Value}"))}");

    /// <summary>The kernel's services and destinations, as one string to compare.</summary>
    public static string Snapshot(IIpvsKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        return string.Join('\n', kernel.GetServices().Select(s => $"{s with { Statistics = null }} -> {string.Join(", ", kernel.GetDestinations(s.Key).Select(d => d with { Statistics = null, ActiveConnections = 0, InactiveConnections = 0, PersistentConnections = 0 }))}"));
    }

    /// <summary>The state a file holds (none yet: empty).</summary>
    public static DesiredState Saved(string statePath) => File.Exists(statePath) ? FileDesiredStateStore.Read(statePath) : DesiredState.Empty;

    private static void Violated(bool violated, CampaignRequest request, string what)
    {
        if (violated)
        {
            throw new InvalidOperationException($"{request}: {what}");
        }
    }
}
