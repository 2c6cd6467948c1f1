namespace Fusis.Core.Bgp;

/// <summary>One line of a BIRD control-socket reply: its code (a continuation line carries its entry's) and its text.</summary>
public readonly record struct BirdReply(int Code, string Text);
