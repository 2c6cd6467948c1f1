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

    // Runs a script in the DSC module's scope with $s and $d defined; returns its output as strings.
    private static string[] Run(PowerShellSession session, string script)
    {
        (var output, IReadOnlyList<ErrorRecord> errors) = session.Invoke($"& (Get-Module Fusis) {{ {Service}; {Destination}; {script} }}");
        Assert.Empty(errors);
        return output.Select(o => o.ToString()).ToArray();
    }
}
