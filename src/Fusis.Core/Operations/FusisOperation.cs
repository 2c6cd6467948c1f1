using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Operations;

/// <summary>
/// One change a front end asks for, in the API's terms. Every front end builds these and nothing else: the rules
/// (<see cref="Apply"/>) run on the engine, in this process or in the host's balancer daemon, and the API route is
/// named here once, for the daemon that serves it and for the client that calls it.
/// </summary>
/// <param name="Method">The API route's method: POST, PUT, PATCH or DELETE.</param>
/// <param name="Path">The API route, relative to the balancer's root, with its segments escaped.</param>
/// <param name="Result">What the response is about.</param>
/// <param name="Target">What ShouldProcess and errors name.</param>
public abstract record FusisOperation(string Method, string Path, OperationResult Result, string Target)
{
    /// <summary>The request body, if the route takes one.</summary>
    public virtual object? Body => null;

    /// <summary>Applies the rules to <paramref name="state"/>, looking at <paramref name="kernel"/> where they must.</summary>
    /// <exception cref="FusisException">Refused: bad input, not found, a conflict; nothing was changed.</exception>
    public abstract OperationEdit Apply(DesiredState state, IIpvsKernel kernel, OperationContext context);

    /// <summary>An escaped route segment.</summary>
    protected static string Segment(string value) => Uri.EscapeDataString(value);
}
