namespace Fusis.Commands;

/// <summary>The formats Export- and Import-FusisConfiguration read and write.</summary>
public enum FusisConfigurationFormat
{
    /// <summary>The desired-state document: named services, every setting.</summary>
    Json,

    /// <summary>ipvsadm -S -n / ipvsadm -R rules: no names (import derives them).</summary>
    Ipvsadm,
}
