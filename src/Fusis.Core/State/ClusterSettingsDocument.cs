namespace Fusis.Core.State;

/// <summary>The settings of a shared desired state that belong to no service (one etcd key).</summary>
internal sealed class ClusterSettingsDocument
{
    /// <summary>The default SNAT (off when absent).</summary>
    public string? DefaultSnat { get; set; }
}
