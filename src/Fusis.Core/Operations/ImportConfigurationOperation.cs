using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Core.Operations;

/// <summary>
/// PUT /configuration: a whole configuration (the desired-state document) becomes the owned services; owned services
/// it does not name are deleted; services it names that the kernel has but Fusis does not own are refused unless
/// <see cref="Adopt"/>. Every imported service is converged, so the kernel ends up exactly as imported.
/// </summary>
public sealed record ImportConfigurationOperation(IReadOnlyList<DesiredService> Services, bool Adopt)
    : FusisOperation("PUT", Adopt ? "configuration?adopt=true" : "configuration", OperationResult.None, $"{Services.Count} services with {Services.Sum(s => s.Destinations.Count)} destinations")
{
    public override object? Body => FileDesiredStateStore.ToJson(new DesiredState(Services, []));

    public override OperationEdit Apply(DesiredState state, IIpvsKernel kernel, OperationContext context)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        IReadOnlyList<DesiredService> unmanaged = ConfigurationImport.Unmanaged(state, Services, kernel.GetServices().Select(s => s.Key));
        if (unmanaged.Count > 0 && !Adopt)
        {
            throw new FusisException(
                FusisErrorCode.ServiceNotManaged,
                $"the configuration names {string.Join(", ", unmanaged.Select(s => s.Key))}, which the kernel has but Fusis does not own; " +
                "adopt them to take them over. Nothing was changed");
        }

        DesiredState next = ConfigurationImport.Replace(state, Services);
        return new OperationEdit(next) { Converge = Services.Select(s => s.Key).ToHashSet() };
    }
}
