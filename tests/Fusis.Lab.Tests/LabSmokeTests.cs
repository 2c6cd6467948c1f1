using System.Net;

namespace Fusis.Lab.Tests;

/// <summary>Proves the lab itself: a real IPVS kernel, reachable from a host-built .NET binary.</summary>
public sealed class LabSmokeTests
{
    [Fact]
    public void Kernel_has_ipvs_loaded()
    {
        LabKernel.RequireIpvs();

        Assert.StartsWith("IP Virtual Server version ", ProcNetIpVs.VersionLine(), StringComparison.Ordinal);
        Assert.Contains(File.ReadAllLines("/proc/modules"), line => line.StartsWith("ip_vs ", StringComparison.Ordinal));
    }

    [Fact]
    public void Service_added_by_ipvsadm_is_in_the_kernel_table_and_gone_after_delete()
    {
        LabKernel.RequireIpvs();
        var endPoint = new IPEndPoint(IPAddress.Parse("198.18.0.10"), 8080);
        LabKernel.Run("ipvsadm", $"-A -t {endPoint} -s wlc");
        try
        {
            var service = Assert.Single(ProcNetIpVs.Services(), s => s.EndPoint.Equals(endPoint));
            Assert.Equal("TCP", service.Protocol);
            Assert.Equal("wlc", service.Scheduler);
        }
        finally
        {
            LabKernel.Run("ipvsadm", $"-D -t {endPoint}");
        }

        Assert.DoesNotContain(ProcNetIpVs.Services(), s => s.EndPoint.Equals(endPoint));
    }
}
