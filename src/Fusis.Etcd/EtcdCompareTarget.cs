namespace Fusis.Etcd;

/// <summary>What an <see cref="EtcdCompare"/> looks at.</summary>
public enum EtcdCompareTarget
{
    ModRevision,
    CreateRevision,
    Value,
}
