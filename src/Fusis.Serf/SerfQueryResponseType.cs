namespace Fusis.Serf;

public enum SerfQueryResponseType
{
    Ack,
    Response,
}
