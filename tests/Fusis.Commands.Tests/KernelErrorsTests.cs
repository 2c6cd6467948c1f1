using System.Management.Automation;
using System.Net;
using Fusis.Core;
using Fusis.Netlink;
using Fusis.Netlink.Ipvs;

namespace Fusis.Commands.Tests;

/// <summary>Errno decides the stable error id and the category of every kernel ErrorRecord.</summary>
public sealed class KernelErrorsTests
{
    private static readonly IpvsServiceKey Web = IpvsServiceKey.ForEndPoint(IpvsProtocol.Tcp, IPAddress.Parse("198.18.0.1"), 80);
    private static readonly IpvsDestination Backend = new() { Address = IPAddress.Parse("198.18.1.1"), Port = 80 };

    public static TheoryData<Errno, IpvsOperationKind?, string, ErrorCategory> Cases => new()
    {
        { Errno.EPERM, IpvsOperationKind.AddService, nameof(FusisErrorCode.PermissionDenied), ErrorCategory.PermissionDenied },
        { Errno.EACCES, null, nameof(FusisErrorCode.PermissionDenied), ErrorCategory.PermissionDenied },
        { Errno.ESRCH, IpvsOperationKind.UpdateService, nameof(FusisErrorCode.ServiceNotFound), ErrorCategory.ObjectNotFound },
        { Errno.ESRCH, IpvsOperationKind.AddDestination, nameof(FusisErrorCode.ServiceNotFound), ErrorCategory.ObjectNotFound },
        { Errno.ENOENT, IpvsOperationKind.DeleteDestination, nameof(FusisErrorCode.DestinationNotFound), ErrorCategory.ObjectNotFound },
        { Errno.EEXIST, IpvsOperationKind.AddService, nameof(FusisErrorCode.ServiceExists), ErrorCategory.ResourceExists },
        { Errno.EEXIST, IpvsOperationKind.AddDestination, nameof(FusisErrorCode.DestinationExists), ErrorCategory.ResourceExists },
        { Errno.ENOENT, IpvsOperationKind.AddService, nameof(FusisErrorCode.InvalidArgument), ErrorCategory.InvalidArgument }, // unknown scheduler
        { Errno.EINVAL, IpvsOperationKind.AddDestination, nameof(FusisErrorCode.InvalidArgument), ErrorCategory.InvalidArgument },
        { Errno.ERANGE, IpvsOperationKind.UpdateDestination, nameof(FusisErrorCode.InvalidArgument), ErrorCategory.InvalidArgument },
        { Errno.ETIMEDOUT, null, nameof(FusisErrorCode.KernelError), ErrorCategory.NotSpecified },
        { Errno.EBUSY, null, nameof(FusisErrorCode.KernelError), ErrorCategory.NotSpecified },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Errno_maps_to_a_stable_id_and_category(Errno errno, IpvsOperationKind? kind, string id, ErrorCategory category)
    {
        NetlinkException exception = kind is { } k ? Failure(k, errno) : new NetlinkException(errno, "kernel said no", null);

        ErrorRecord record = KernelErrors.ToErrorRecord(exception, "target", kind);

        Assert.Equal((id, category), (record.FullyQualifiedErrorId, record.CategoryInfo.Category));
        Assert.Same(exception, record.Exception);
        Assert.Equal("target", record.TargetObject);
    }

    [Fact]
    public void A_kernel_without_ipvs_is_IpvsUnavailable_by_its_type_not_its_text()
    {
        var missing = new IpvsUnavailableException("any words at all");

        ErrorRecord record = KernelErrors.ToErrorRecord(missing, null);

        Assert.Equal((nameof(FusisErrorCode.IpvsUnavailable), ErrorCategory.ResourceUnavailable), (record.FullyQualifiedErrorId, record.CategoryInfo.Category));
    }

    private static NetlinkException Failure(IpvsOperationKind kind, Errno errno)
    {
        IpvsOperation operation = kind switch
        {
            IpvsOperationKind.AddService => IpvsOperation.AddService(new IpvsService { Key = Web }),
            IpvsOperationKind.UpdateService => IpvsOperation.UpdateService(new IpvsService { Key = Web }),
            IpvsOperationKind.DeleteService => IpvsOperation.DeleteService(Web),
            IpvsOperationKind.AddDestination => IpvsOperation.AddDestination(Web, Backend),
            IpvsOperationKind.UpdateDestination => IpvsOperation.UpdateDestination(Web, Backend),
            _ => IpvsOperation.DeleteDestination(Web, Backend),
        };
        return new NetlinkException(errno, $"{operation} failed", null);
    }
}
