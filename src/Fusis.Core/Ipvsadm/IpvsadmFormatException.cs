namespace Fusis.Core.Ipvsadm;

/// <summary>A line of ipvsadm rules could not be read; the message names the line and what is wrong with it.</summary>
public sealed class IpvsadmFormatException : FormatException
{
    public IpvsadmFormatException()
    {
    }

    public IpvsadmFormatException(string message)
        : base(message)
    {
    }

    public IpvsadmFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public IpvsadmFormatException(int lineNumber, string line, string problem)
        : base($"line {lineNumber}: {problem}: '{line}'")
    {
        LineNumber = lineNumber;
    }

    /// <summary>1-based; 0 when the problem is not one line's.</summary>
    public int LineNumber { get; }
}
