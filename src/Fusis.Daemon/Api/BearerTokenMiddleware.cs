using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Fusis.Daemon.Api;

/// <summary>
/// With a token configured, every request needs "Authorization: Bearer &lt;token&gt;", except reads (GET and HEAD)
/// that arrive on loopback (or beyond it with AnonymousReads), reads of a <see cref="PublicRoute"/> (the status page's
/// HTML), and anything over the local socket, which only root can open (its folder is 0700). The comparison is constant-time (hashes of equal length, compared with
/// FixedTimeEquals); the token is never logged.
/// </summary>
internal sealed class BearerTokenMiddleware(RequestDelegate next, byte[]? tokenHash, bool anonymousReads)
{
    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        bool overLocalSocket = context.Features.Get<IConnectionEndPointFeature>()?.LocalEndPoint is UnixDomainSocketEndPoint;
        bool loopback = context.Connection.LocalIpAddress is { } address && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
        bool read = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);
        bool open = read && context.GetEndpoint()?.Metadata.GetMetadata<PublicRoute>() is not null;
        if (tokenHash is null || overLocalSocket || open || (read && (anonymousReads || loopback)))
        {
            return next(context);
        }

        string header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && CryptographicOperations.FixedTimeEquals(Hash(header["Bearer ".Length..].Trim()), tokenHash))
        {
            return next(context);
        }

        context.Response.Headers.WWWAuthenticate = "Bearer";
        string what = read ? "reads beyond loopback" : "writes";
        return ApiErrorMiddleware.WriteAsync(context, StatusCodes.Status401Unauthorized, $"this balancer needs a bearer token for {what} (Authorization: Bearer <token>)", Core.FusisErrorCode.PermissionDenied, null);
    }
}
