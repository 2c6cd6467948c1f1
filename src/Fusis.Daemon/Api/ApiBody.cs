using Fusis.Core.Api;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Fusis.Daemon.Api;

/// <summary>Reads a request's JSON body: 413 over the size limit, 400 when empty or malformed, before anything else runs.</summary>
internal sealed class ApiBody(long maxBytes)
{
    public long MaxBytes { get; } = maxBytes;

    public async Task<T> ReadAsync<T>(HttpContext context)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.ContentLength > MaxBytes)
        {
            throw TooLarge();
        }

        using var buffer = new MemoryStream();
        byte[] chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                throw TooLarge();
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            throw new ApiException("the request needs a JSON body");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(buffer.ToArray(), ApiJson.Options) ?? throw new ApiException("the JSON body is null");
        }
        catch (JsonException e)
        {
            throw new ApiException($"the body is not valid JSON for this request: {e.Message}", e);
        }
    }

    private ApiException TooLarge() => new(StatusCodes.Status413PayloadTooLarge, $"the body is larger than the limit of {MaxBytes} bytes");
}
