namespace Fusis.Core.Api;

/// <summary>Collects every problem of a request, by field, so one 422 names them all.</summary>
internal sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string field, string problem)
    {
        if (!_errors.TryGetValue(field, out List<string>? problems))
        {
            _errors[field] = problems = [];
        }

        problems.Add(problem);
    }

    /// <summary>Throws a 422 with every problem when there is any.</summary>
    public void ThrowIfAny()
    {
        if (Any)
        {
            throw FusisException.Invalid(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
        }
    }
}
