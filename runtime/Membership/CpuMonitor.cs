using System.Globalization;

namespace GridActors.Runtime.Membership;

/// <summary>The machine's CPU use between two readings, from /proc/stat (0 where it is not available).</summary>
internal sealed class CpuMonitor
{
    private (long Busy, long Total) _last = Read();

    public double Sample()
    {
        var now = Read();
        var total = now.Total - _last.Total;
        var busy = now.Busy - _last.Busy;
        _last = now;
        return total <= 0 ? 0 : Math.Clamp(100.0 * busy / total, 0, 100);
    }

    private static (long Busy, long Total) Read()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            var fields = reader.ReadLine()!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0);
            var total = fields.Sum();
            return (total - idle, total);
        }
        catch (IOException)
        {
            return (0, 0);
        }
        catch (UnauthorizedAccessException)
        {
            return (0, 0);
        }
    }
}
