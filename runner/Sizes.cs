using System.Globalization;

namespace GridActors.Runner;

/// <summary>Byte counts as people read them: "512 MiB", "3.2 MiB", "900 bytes".</summary>
public static class Sizes
{
    /// <summary>Formats a byte count.</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 => Scaled(bytes, 1L << 30, "GiB"),
        >= 1L << 20 => Scaled(bytes, 1L << 20, "MiB"),
        >= 1L << 10 => Scaled(bytes, 1L << 10, "KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };

    private static string Scaled(long bytes, long unit, string name)
    {
        var value = (double)bytes / unit;
        return string.Create(CultureInfo.InvariantCulture, $"{(value == Math.Floor(value) ? value.ToString("0", CultureInfo.InvariantCulture) : value.ToString("0.0", CultureInfo.InvariantCulture))} {name}");
    }
}
