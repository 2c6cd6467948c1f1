using System.Management.Automation;
using System.Net;
using System.Reflection;
using System.Security;
using Fusis.Core;
using Fusis.Core.Backends;
using Fusis.Core.Model;
using Fusis.Core.Operations;

namespace Fusis.Commands;

/// <summary>
/// Cmdlets whose changes go through an engine: with -Balancer (or FUSIS_BALANCER) a balancer's API; without, this
/// host's balancer daemon over its local socket when one runs, else an engine in this process shared by the
/// pipeline. The backend is chosen once per pipeline and every cmdlet has one code path over it.
/// </summary>
public abstract class FusisBackendCmdletBase : FusisCmdletBase
{
    /// <summary>Default balancer for remote mode when -Balancer is not given.</summary>
    public const string BalancerVariable = "FUSIS_BALANCER";

    /// <summary>Default bearer token for remote mode when -Token is not given.</summary>
    public const string TokenVariable = "FUSIS_TOKEN";

    private readonly CancellationTokenSource _stopping = new();
    private IFusisBackend? _backend;
    private IReadOnlyList<FusisService>? _services;

    /// <summary>The balancer daemon's API, e.g. http://127.0.0.1:8000; none: this host.</summary>
    [Parameter]
    [ValidateNotNull]
    public Uri? Balancer { get; set; }

    /// <summary>The bearer token the balancer wants for writes.</summary>
    [Parameter]
    [ValidateNotNull]
    public SecureString? Token { get; set; }

    /// <summary>Where this pipeline's changes go; an unusable one (bad -Balancer, no IPVS, a daemon that does not answer) ends the command.</summary>
    private protected IFusisBackend Backend => _backend ??= OpenBackend();

    /// <summary>The services (read once per command): on this host every kernel service, remotely those the balancer owns.</summary>
    private protected IReadOnlyList<FusisService> Services => _services ??= Read(Backend.GetServicesAsync);

    /// <summary>Runs a backend call, honouring Ctrl+C; a refusal ends the command with its ErrorRecord.</summary>
    private protected T Read<T>(Func<CancellationToken, Task<T>> read, object? target = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        try
        {
            return Wait(read(_stopping.Token));
        }
        catch (FusisException e)
        {
            ThrowTerminatingError(FusisErrors.ToErrorRecord(e, target));
            throw; // not reached: ThrowTerminatingError always throws
        }
    }

    /// <summary>
    /// Runs a backend stream, handing each item to <paramref name="each"/> on the pipeline's thread as it comes. Ctrl+C
    /// stops it; so does <paramref name="limit"/>, quietly; a refusal ends the command with its ErrorRecord.
    /// </summary>
    private protected void Stream<T>(Func<CancellationToken, IAsyncEnumerable<T>> read, TimeSpan? limit, Action<T> each)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(each);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        if (limit is { } time)
        {
            bounded.CancelAfter(time);
        }

        try
        {
            IAsyncEnumerator<T> items = read(bounded.Token).GetAsyncEnumerator(bounded.Token);
            try
            {
                while (items.MoveNextAsync().AsTask().GetAwaiter().GetResult())
                {
                    each(items.Current);
                }
            }
            finally
            {
                // Ends the request (a downstream Select-Object -First stops the pipeline through each).
                bounded.Cancel();
                items.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            // the limit passed
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        catch (FusisException e)
        {
            ThrowTerminatingError(FusisErrors.ToErrorRecord(e, null));
        }
    }

    /// <summary>
    /// One change: when ShouldProcess will show or ask (-WhatIf, -Confirm, -Verbose), the engine's dry-run plan is
    /// what it shows; then the change itself. Null when declined or refused (the refusal is written as an error).
    /// </summary>
    private protected ChangeOutcome? Change(FusisOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        try
        {
            string action = $"change the desired state through {Backend.Description}";
            if (WillShowAction())
            {
                IReadOnlyList<string> plan = Wait(Backend.ChangeAsync(operation, dryRun: true, _stopping.Token)).Plan;
                action = plan.Count == 0 ? $"{action} (no kernel write)" : $"{action}: {string.Join("; ", plan)}";
            }

            return ShouldProcess(operation.Target, action) ? Wait(Backend.ChangeAsync(operation, dryRun: false, _stopping.Token)) : null;
        }
        catch (FusisException e)
        {
            WriteError(Refused(e, operation.Target));
            return null;
        }
    }

    /// <summary>The ErrorRecord a refused change is written as; a cmdlet may name a refusal in its own words.</summary>
    private protected virtual ErrorRecord Refused(FusisException refusal, object? target) => FusisErrors.ToErrorRecord(refusal, target);

    protected override void StopProcessing() => _stopping.Cancel();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _backend?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _backend = null;
            _stopping.Dispose();
        }

        base.Dispose(disposing);
    }

    private IFusisBackend OpenBackend()
    {
        Uri? balancer = Balancer
            ?? (Environment.GetEnvironmentVariable(BalancerVariable) is { Length: > 0 } text ? new Uri(text, UriKind.RelativeOrAbsolute) : null);
        if (balancer is null)
        {
            return SharedLocalBackend.Acquire(
                Context(),
                () => Read(cancellation => LocalBackend.OpenAsync(StatePath, LocalBackend.SocketPath, KernelFactory, cancellation)));
        }

        if (!balancer.IsAbsoluteUri || balancer.Scheme is not ("http" or "https"))
        {
            ThrowTerminatingError(FusisErrors.ToErrorRecord(FusisException.Invalid("Balancer", $"'{balancer}' is not an http:// or https:// address"), balancer));
        }

        string? token = Token is not null ? new NetworkCredential(string.Empty, Token).Password : Environment.GetEnvironmentVariable(TokenVariable);
        return ApiBackend.Connect(balancer, string.IsNullOrEmpty(token) ? null : token);
    }

    private static System.Management.Automation.Runspaces.Runspace Context() =>
        System.Management.Automation.Runspaces.Runspace.DefaultRunspace
        ?? throw new InvalidOperationException("a Fusis cmdlet runs in a runspace");

    // ShouldProcess shows its action with -WhatIf and -Verbose, and asks when the impact reaches $ConfirmPreference.
    private bool WillShowAction()
    {
        Dictionary<string, object> bound = MyInvocation.BoundParameters;
        bool Given(string name, out bool value)
        {
            value = bound.TryGetValue(name, out object? given) && ((SwitchParameter)given).IsPresent;
            return bound.ContainsKey(name);
        }

        if (Given("Verbose", out bool verbose) && verbose)
        {
            return true;
        }

        if (Given("WhatIf", out bool whatIf))
        {
            return whatIf;
        }

        if (LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference")))
        {
            return true;
        }

        if (Given("Confirm", out bool confirm))
        {
            return confirm;
        }

        ConfirmImpact impact = GetType().GetCustomAttribute<CmdletAttribute>()?.ConfirmImpact ?? ConfirmImpact.Medium;
        return GetVariableValue("ConfirmPreference") is ConfirmImpact preference && preference != ConfirmImpact.None && impact >= preference;
    }

    private static T Wait<T>(Task<T> task)
    {
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
    }
}
