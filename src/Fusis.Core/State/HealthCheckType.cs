namespace Fusis.Core.State;

public enum HealthCheckType
{
    Tcp,
    Http,
}
