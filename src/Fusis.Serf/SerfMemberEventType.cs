namespace Fusis.Serf;

public enum SerfMemberEventType
{
    Join,
    Leave,
    Failed,
    Update,
    Reap,
}
