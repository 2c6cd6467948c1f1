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
        byte[] bytes = await ReadBytesAsync(context).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, ApiJson.Options) ?? throw new ApiException("the JSON body is null");
        }
        catch (JsonException e)
        {
            throw new ApiException($"the body is not valid JSON for this request: {e.Message}", e);
        }
    }

    /// <summary>The body's bytes, within the limit; 400 when there is none.</summary>
    public async Task<byte[]> ReadBytesAsync(HttpContext context)
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

        return buffer.Length > 0 ? buffer.ToArray() : throw new ApiException("the request needs a JSON body");
    }

    private ApiException TooLarge() => new(StatusCodes.Status413PayloadTooLarge, $"the body is larger than the limit of {MaxBytes} bytes");
}
