namespace Fusis.Core.Membership;

public enum FailedMemberAction
{
    Remove,
    Drain,
}
