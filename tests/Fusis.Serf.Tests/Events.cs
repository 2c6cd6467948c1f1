namespace Fusis.Serf.Tests;

/// <summary>Reads a subscription until a record matches, bounded in time.</summary>
internal static class Events
{
    public static async Task<T> WaitForAsync<TRecord, T>(SerfSubscription<TRecord> subscription, Func<TRecord, T?> match, TimeSpan timeout)
        where T : class
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await foreach (TRecord record in subscription.Records.ReadAllAsync(cancel.Token))
            {
                if (match(record) is { } found)
                {
                    return found;
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }

        throw new TimeoutException($"no matching record within {timeout.TotalSeconds:0.#} s");
    }

    public static Task<SerfMemberEvent> MemberEventAsync(SerfSubscription<SerfEvent> subscription, SerfMemberEventType type, string member, TimeSpan timeout) =>
        WaitForAsync(subscription, e => e is SerfMemberEvent m && m.Type == type && m.Members.Any(x => x.Name == member) ? m : null, timeout);
}
