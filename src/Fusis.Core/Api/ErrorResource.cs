namespace Fusis.Core.Api;

/// <summary>
/// Every refusal's body: the message, the code that classifies it (a <see cref="FusisErrorCode"/> name: clients
/// classify by it, never by the message), and for bad input the problems of each field.
/// </summary>
public sealed record ErrorResource(string Error, string Code, IReadOnlyDictionary<string, string[]>? Errors);
