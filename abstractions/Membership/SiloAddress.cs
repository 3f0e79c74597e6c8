using System.Globalization;

namespace GridActors;

/// <summary>
/// The address of a silo: host, port and epoch. The epoch is the silo's start time, so a silo that
/// restarts on the same host and port is a new member.
/// </summary>
/// <param name="Host">The host name or IP address.</param>
/// <param name="Port">The silo's port.</param>
/// <param name="Epoch">The start time of the silo process, in Unix milliseconds.</param>
public readonly record struct SiloAddress(string Host, int Port, long Epoch)
{
    /// <summary>Parses "host:port:epoch".</summary>
    public static SiloAddress Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 3
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var epoch))
        {
            throw new FormatException($"'{text}' is not a silo address (host:port:epoch).");
        }

        return new SiloAddress(parts[0], port, epoch);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}:{Epoch}");
}
