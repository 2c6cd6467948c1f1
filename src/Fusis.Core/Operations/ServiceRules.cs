using Fusis.Core.Api;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Operations;

/// <summary>The rules every front end shares: names and keys that conflict, ownership, what may change.</summary>
public static class ServiceRules
{
    /// <summary>The state with <paramref name="service"/> added; a conflict when its name or key is taken, or the kernel has it unowned.</summary>
    public static DesiredState Create(DesiredState state, IIpvsKernel kernel, DesiredService service)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(service);
        if (state.Find(service.Name) is { } named)
        {
            throw new FusisException(FusisErrorCode.ServiceExists, $"a service named '{named.Name}' already exists ({named.Key}); nothing was changed");
        }

        if (state.Services.FirstOrDefault(s => s.Key == service.Key) is { } same)
        {
            throw new FusisException(FusisErrorCode.ServiceExists, $"{service.Key} is already the service '{same.Name}'; nothing was changed");
        }

        if (!state.Retired.Contains(service.Key) && kernel.GetService(service.Key) is not null)
        {
            throw new FusisException(
                FusisErrorCode.ServiceExists,
                $"{service.Key} exists in the kernel but Fusis does not own it; Fusis never changes services it does not own (nothing was changed)");
        }

        return state with { Services = [.. state.Services, service], Retired = state.Retired.Where(k => k != service.Key).ToList() };
    }

    /// <summary>The owned service named <paramref name="name"/>.</summary>
    public static DesiredService Owned(DesiredState state, string name)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Find(name) ?? throw FusisException.ServiceNotFound(name);
    }

    /// <summary>A destination of <paramref name="service"/> by its name or "address:port".</summary>
    public static IpvsDestination OwnedDestination(DesiredService service, string id)
    {
        ArgumentNullException.ThrowIfNull(service);
        return RequestMapper.FindDestination(service, id)
            ?? throw new FusisException(FusisErrorCode.DestinationNotFound, $"service '{service.Name}' has no destination '{id}' (a name, or address:port); nothing was changed");
    }

    /// <summary>The state with <paramref name="existing"/> replaced by <paramref name="next"/>; a conflict when a rename takes another's name.</summary>
    public static DesiredState Replace(DesiredState state, DesiredService existing, DesiredService next)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(next);
        if (state.Find(next.Name) is { } other && other != existing)
        {
            throw new FusisException(FusisErrorCode.ServiceExists, $"a service named '{other.Name}' already exists; nothing was changed");
        }

        return state.Replacing(existing, next);
    }

    /// <summary>The state without <paramref name="existing"/>, its key retired until the kernel confirms it is gone.</summary>
    public static DesiredState Retire(DesiredState state, DesiredService existing)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(existing);
        return state with { Services = state.Services.Where(s => s != existing).ToList(), Retired = [.. state.Retired, existing.Key] };
    }
}
