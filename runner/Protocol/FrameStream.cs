using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace GridActors.Runner.Protocol;

/// <summary>
/// Length-prefixed frames over a byte stream: a 4-byte little-endian length, then that many bytes of
/// UTF-8 JSON. A frame longer than the reader's limit is a protocol error: the peer is broken or hostile.
/// </summary>
public sealed class FrameStream(Stream stream, int maxFrameBytes)
{
    private readonly byte[] _header = new byte[4];

    /// <summary>Reads the next frame; null at the end of the stream.</summary>
    public async ValueTask<T?> ReadAsync<T>(JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
        where T : class
    {
        if (!await FillAsync(_header, cancellationToken))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(_header);
        if (length < 0 || length > maxFrameBytes)
        {
            throw new InvalidDataException($"A frame of {length} bytes exceeds the limit of {maxFrameBytes} bytes.");
        }

        var payload = new byte[length];
        if (!await FillAsync(payload, cancellationToken))
        {
            throw new EndOfStreamException("The stream ended inside a frame.");
        }

        return JsonSerializer.Deserialize(payload, typeInfo);
    }

    /// <summary>Reads the next frame, blocking; null at the end of the stream.</summary>
    public T? Read<T>(JsonTypeInfo<T> typeInfo)
        where T : class
    {
        if (!Fill(_header))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(_header);
        if (length < 0 || length > maxFrameBytes)
        {
            throw new InvalidDataException($"A frame of {length} bytes exceeds the limit of {maxFrameBytes} bytes.");
        }

        var payload = new byte[length];
        if (!Fill(payload))
        {
            throw new EndOfStreamException("The stream ended inside a frame.");
        }

        return JsonSerializer.Deserialize(payload, typeInfo);
    }

    /// <summary>Writes a frame to the stream's buffer; call <see cref="Flush"/> to send.</summary>
    public void Write<T>(T message, JsonTypeInfo<T> typeInfo)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(message, typeInfo);
        Span<byte> header = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(header, payload.Length);
        stream.Write(header);
        stream.Write(payload);
    }

    /// <summary>Sends what was written, blocking.</summary>
    public void Flush() => stream.Flush();

    private bool Fill(byte[] buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = stream.Read(buffer, read, buffer.Length - read);
            if (n == 0)
            {
                if (read == 0)
                {
                    return false;
                }

                throw new EndOfStreamException("The stream ended inside a frame.");
            }

            read += n;
        }

        return true;
    }

    private async ValueTask<bool> FillAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                if (read == 0)
                {
                    return false;
                }

                throw new EndOfStreamException("The stream ended inside a frame.");
            }

            read += n;
        }

        return true;
    }
}
