using System.Management.Automation;
using System.Net;
using Fusis.Core.Model;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands.Tests;

public sealed class TimeoutAndStatisticsCmdletTests
{
    [Fact]
    public void Set_FusisTimeout_takes_seconds_or_TimeSpans_and_keeps_what_is_left_out()
    {
        using var host = new CmdletHost(DesiredState.Empty);

        Assert.Equal(
            new FusisTimeout(TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5)),
            Assert.Single(host.Invoke("Get-FusisTimeout").Output).BaseObject);
        (var output, IReadOnlyList<ErrorRecord> errors) = host.Invoke("Set-FusisTimeout -TcpFin 30 -Udp 00:01:30 -PassThru");

        Assert.Empty(errors);
        Assert.Equal(new FusisTimeout(TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(90)), Assert.Single(output).BaseObject);
        Assert.Equal(new IpvsTimeouts(900, 30, 90), host.Kernel.GetTimeouts());

        // A plain number is seconds, as ipvsadm users write it.
        Assert.Empty(host.Invoke("Set-FusisTimeout -Tcp 1800").Errors);
        Assert.Equal(new IpvsTimeouts(1800, 30, 90), host.Kernel.GetTimeouts());
    }

    [Theory]
    [InlineData("Set-FusisTimeout -Tcp 0.5", "whole seconds")]
    [InlineData("Set-FusisTimeout -Udp 24.20:31:24", "whole seconds from 1 s to 2147483 s")]
    [InlineData("Set-FusisTimeout", "at least one of -Tcp, -TcpFin or -Udp")]
    [InlineData("Set-FusisTimeout -Tcp -5", "whole seconds from 1 s to 2147483 s")]
    public void Bad_timeouts_are_InvalidArgument_and_change_nothing(string script, string message)
    {
        using var host = new CmdletHost(DesiredState.Empty);

        ErrorRecord error = Assert.Single(host.Invoke(script).Errors);

        Assert.Equal("InvalidArgument,Fusis.Commands.Commands.SetFusisTimeoutCommand", error.FullyQualifiedErrorId);
        Assert.Contains(message, error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(new IpvsTimeouts(900, 120, 300), host.Kernel.GetTimeouts());
    }

    [Fact]
    public void Set_FusisTimeout_WhatIf_changes_nothing()
    {
        using var host = new CmdletHost(DesiredState.Empty);

        Assert.Empty(host.Invoke("Set-FusisTimeout -Tcp 60 -WhatIf").Errors);

        Assert.Equal(new IpvsTimeouts(900, 120, 300), host.Kernel.GetTimeouts());
    }

    [Fact]
    public void Clear_FusisStatistics_zeroes_owned_services_and_refuses_others()
    {
        using var host = new CmdletHost(DesiredState.Empty);
        Assert.Empty(host.Invoke("New-FusisService -Name web -Address 198.18.0.1 -Port 80").Errors);
        host.Kernel.Apply([IpvsOperation.AddService(new IpvsService { Key = IpvsServiceKey.ForEndPoint(IpvsProtocol.Udp, IPAddress.Parse("198.18.0.53"), 53) })]);

        Assert.Empty(host.Invoke("Clear-FusisStatistics").Errors);
        Assert.Empty(host.Invoke("Get-FusisService web | Clear-FusisStatistics").Errors);
        IReadOnlyList<ErrorRecord> errors = host.Invoke("Get-FusisService | Clear-FusisStatistics; Clear-FusisStatistics nosuch").Errors;

        Assert.Equal(
            ["ServiceNotManaged,Fusis.Commands.Commands.ClearFusisStatisticsCommand", "ServiceNotFound,Fusis.Commands.Commands.ClearFusisStatisticsCommand"],
            errors.Select(e => e.FullyQualifiedErrorId));
    }
}
