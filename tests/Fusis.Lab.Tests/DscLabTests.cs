using System.Management.Automation;

namespace Fusis.Lab.Tests;

/// <summary>The class-based DSC resources of the laid-out module against the real kernel: drift made with ipvsadm is found and repaired.</summary>
public sealed class DscLabTests
{
    private const string Service = "$s = [FusisService]::new(); $s.Name = 'web'; $s.Address = '198.18.93.1'; $s.Port = 80; $s.Scheduler = 'rr'";
    private const string Destination = "$d = [FusisDestination]::new(); $d.ServiceName = 'web'; $d.Address = '198.18.93.11'; $d.Port = 8080; $d.Weight = 3";

    [Fact]
    public void Set_converges_Test_finds_drift_made_with_ipvsadm_and_a_second_Set_changes_nothing()
    {
        using var state = new TemporaryDesiredState();
        using var ns = new LabNamespace();
        using var session = new PowerShellSession();

        string[] missing, drift, after;
        using (ns.Enter())
        {
            missing = Run(session, "$s.Get().Reasons | ForEach-Object Code");
            Run(session, "$s.Set(); $d.Set()");
            ns.Ipvsadm("-E -t 198.18.93.1:80 -s sh");
            ns.Ipvsadm("-e -t 198.18.93.1:80 -r 198.18.93.11:8080 -m -w 1");
            drift = Run(session, "$s.Get().Reasons + $d.Get().Reasons | ForEach-Object Code");
            Run(session, "$s.Set(); $d.Set()");
        }

        string[] repaired = ns.IpvsadmSave();
        using (ns.Enter())
        {
            Run(session, "$s.Set(); $d.Set()");
            after = Run(session, "$s.Test(); $d.Test()");
        }

        Assert.Equal(["FusisService:FusisService:Ensure"], missing);
        Assert.Equal(["FusisService:FusisService:Scheduler", "FusisDestination:FusisDestination:Weight"], drift);
        Assert.Equal(["-A -t 198.18.93.1:80 -s rr", "-a -t 198.18.93.1:80 -r 198.18.93.11:8080 -m -w 3"], repaired);
        Assert.Equal(repaired, ns.IpvsadmSave());
        Assert.Equal(["True", "True"], after);
    }

    [Fact]
    public void The_v3_command_resources_driven_through_stdin_as_dsc_would_converge_the_real_kernel()
    {
        using var state = new TemporaryDesiredState();
        using var ns = new LabNamespace();
        const string Service = """{"name":"api","address":"198.18.94.1","port":443,"scheduler":"wrr"}""";
        const string Destination = """{"serviceName":"api","address":"198.18.94.11","port":8443,"weight":2}""";

        string[] created = Dsc(ns, state, "set service", Service);
        Dsc(ns, state, "set destination", Destination);
        ns.Ipvsadm("-E -t 198.18.94.1:443 -s rr");
        string[] drift = Dsc(ns, state, "test service", Service);
        Dsc(ns, state, "set service", Service);
        string[] exported = Dsc(ns, state, "export destination", string.Empty);

        Assert.Equal("[\"_exist\"]", created[1]);
        Assert.Equal("[\"scheduler\"]", drift[1]);
        Assert.Equal(["-A -t 198.18.94.1:443 -s wrr", "-a -t 198.18.94.1:443 -r 198.18.94.11:8443 -m -w 2"], ns.IpvsadmSave());
        Assert.Contains("\"weight\":2", Assert.Single(exported), StringComparison.Ordinal);
    }

    // `fusis dsc <operation> <type>` in the namespace, the JSON on stdin, as the manifests in dsc/ tell DSC to run it.
    private static string[] Dsc(LabNamespace ns, TemporaryDesiredState state, string operation, string json) =>
        ns.Exec($"env FUSIS_STATE_PATH={state.Path} {ClusterLab.Daemon} dsc {operation}", stdin: json).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    // Runs a script in the DSC module's scope with $s and $d defined; returns its output as strings.
    private static string[] Run(PowerShellSession session, string script)
    {
        (var output, IReadOnlyList<ErrorRecord> errors) = session.Invoke($"& (Get-Module Fusis) {{ {Service}; {Destination}; {script} }}");
        Assert.Empty(errors);
        return output.Select(o => o.ToString()).ToArray();
    }
}
