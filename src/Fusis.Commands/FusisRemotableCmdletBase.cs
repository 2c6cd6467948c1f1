using System.Management.Automation;
using System.Net;
using System.Security;
using Fusis.Commands.Remote;

namespace Fusis.Commands;

/// <summary>
/// Cmdlets that also work against a balancer daemon: with -Balancer (or FUSIS_BALANCER) they call its HTTP API,
/// which is then the only writer of that host's desired state, and write the same objects as in local mode.
/// </summary>
public abstract class FusisRemotableCmdletBase : FusisCmdletBase
{
    /// <summary>Default balancer for remote mode when -Balancer is not given.</summary>
    public const string BalancerVariable = "FUSIS_BALANCER";

    /// <summary>Default bearer token for remote mode when -Token is not given.</summary>
    public const string TokenVariable = "FUSIS_TOKEN";

    private FusisApiClient? _api;
    private IReadOnlyList<Core.Api.ServiceResource>? _services;
    private bool _resolved;

    /// <summary>The balancer daemon's API, e.g. http://127.0.0.1:8000; none: this host's kernel and desired state.</summary>
    [Parameter]
    [ValidateNotNull]
    public Uri? Balancer { get; set; }

    /// <summary>The bearer token the balancer wants for writes.</summary>
    [Parameter]
    [ValidateNotNull]
    public SecureString? Token { get; set; }

    /// <summary>The balancer's API in remote mode; null in local mode.</summary>
    private protected FusisApiClient? Api
    {
        get
        {
            if (!_resolved)
            {
                _resolved = true;
                Uri? balancer = Balancer
                    ?? (Environment.GetEnvironmentVariable(BalancerVariable) is { Length: > 0 } text ? new Uri(text, UriKind.RelativeOrAbsolute) : null);
                if (balancer is not null)
                {
                    if (!balancer.IsAbsoluteUri || balancer.Scheme is not ("http" or "https"))
                    {
                        ThrowTerminatingError(InvalidArgument($"-Balancer '{balancer}' is not an http:// or https:// address", balancer));
                    }

                    string? token = Token is not null ? new NetworkCredential(string.Empty, Token).Password : Environment.GetEnvironmentVariable(TokenVariable);
                    _api = new FusisApiClient(balancer, string.IsNullOrEmpty(token) ? null : token);
                }
            }

            return _api;
        }
    }

    /// <summary>
    /// A write in remote mode: the balancer's dry run gives the plan ShouldProcess shows (-WhatIf prints it), then the
    /// write itself. Returns false when declined or refused (the refusal is written as an error).
    /// </summary>
    protected bool RemoteWrite<T>(string target, HttpMethod method, string path, object? body, bool destination, out T? result)
        where T : class
    {
        result = null;
        try
        {
            IReadOnlyList<string> plan = Api!.Plan(method, path, body);
            if (!ShouldProcess(target, plan.Count == 0 ? $"change the desired state on {Api.Balancer} (no kernel write)" : $"on {Api.Balancer}: {string.Join("; ", plan)}"))
            {
                return false;
            }

            result = Api.Send<T>(method, path, body);
            return true;
        }
        catch (FusisApiException e)
        {
            WriteError(e.ToErrorRecord(target, destination));
            return false;
        }
    }

    /// <summary>Remote mode: the balancer's services, read once per pipeline (an unreachable balancer writes an error, and gives none).</summary>
    private protected IReadOnlyList<Core.Api.ServiceResource> RemoteServices => _services ??= RemoteRead(api => api.GetServices(), Api!.Balancer) ?? [];

    /// <summary>A read in remote mode; a refusal is written as an error and gives null.</summary>
    private protected T? RemoteRead<T>(Func<FusisApiClient, T> read, object? target, bool destination = false)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(read);
        try
        {
            return read(Api!);
        }
        catch (FusisApiException e)
        {
            WriteError(e.ToErrorRecord(target, destination));
            return null;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _api?.Dispose();
            _api = null;
        }

        base.Dispose(disposing);
    }
}
