using System.Management.Automation;
using Fusis.Core.Model;

namespace Fusis.Lab.Tests;

/// <summary>The laid-out module's cmdlets against the real kernel, cross-checked with the kernel's own view.</summary>
public sealed class ModuleLabTests
{
    [Fact]
    public void Get_FusisInfo_reports_what_the_kernel_and_ipvsadm_say()
    {
        LabKernel.RequireIpvs();
        using var session = new PowerShellSession();

        (var output, IReadOnlyList<ErrorRecord> errors) = session.Invoke("Get-FusisInfo");

        Assert.Empty(errors);
        var info = Assert.IsType<FusisInfo>(Assert.Single(output).BaseObject);
        Assert.Equal($"IP Virtual Server version {info.IpvsVersion} (size={info.ConnectionTableSize})", ProcNetIpVs.VersionLine());
        int ipvsadmServices = LabKernel.Run("ipvsadm", "-S -n").Split('\n').Count(l => l.StartsWith("-A ", StringComparison.Ordinal));
        Assert.Equal(ipvsadmServices, info.Services);
    }

    [Fact]
    public void Without_CAP_NET_ADMIN_Get_FusisInfo_is_PermissionDenied()
    {
        LabKernel.RequireIpvs();
        using var session = new PowerShellSession();
        IReadOnlyList<ErrorRecord> errors = [];

        Capabilities.RunWithout(Capabilities.NetAdmin, () => errors = session.Invoke("Get-FusisInfo").Errors);

        ErrorRecord error = Assert.Single(errors);
        Assert.Equal("PermissionDenied,Fusis.Commands.Commands.GetFusisInfoCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
    }
}
