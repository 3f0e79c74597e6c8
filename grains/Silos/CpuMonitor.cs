using System.Globalization;

namespace GridActors.Grains.Silos;

/// <summary>
/// The machine's CPU use between two readings, from /proc/stat, without the CPU this silo spends
/// itself: its own process and the processes its workloads name (the job runners), read from
/// /proc/PID/stat in the same clock ticks. What is left is the CPU use of other work, which a
/// silo's --max-cpu is compared with (Flow's threshold): a volunteer's machine busy with its
/// owner's work takes no new jobs, while a machine busy with our own jobs keeps taking them.
/// 0 where /proc is not available.
/// </summary>
internal sealed class CpuMonitor
{
    private readonly Dictionary<int, long> _lastOwn = [];
    private (long Busy, long Total) _last = ReadMachine();

    /// <summary>The share of the machine's CPU used by other work since the last sample, 0 to 100.</summary>
    public double Sample(IEnumerable<int> ownProcessIds)
    {
        var now = ReadMachine();
        var total = now.Total - _last.Total;
        var busy = now.Busy - _last.Busy;
        _last = now;
        var own = 0L;
        var seen = new HashSet<int>();
        foreach (var pid in ownProcessIds.Prepend(Environment.ProcessId))
        {
            if (!seen.Add(pid) || ReadProcess(pid) is not { } ticks)
            {
                continue;
            }

            // A process first seen counts from its start: all of its time is recent or nearly so.
            own += ticks - _lastOwn.GetValueOrDefault(pid);
            _lastOwn[pid] = ticks;
        }

        foreach (var gone in _lastOwn.Keys.Where(p => !seen.Contains(p)).ToList())
        {
            _lastOwn.Remove(gone);
        }

        return total <= 0 ? 0 : Math.Clamp(100.0 * (busy - own) / total, 0, 100);
    }

    private static (long Busy, long Total) ReadMachine()
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
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return (0, 0);
        }
    }

    /// <summary>User plus system ticks of a process, or null when it is gone.</summary>
    internal static long? ReadProcess(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");

            // The command name is in parentheses and may hold spaces; fields after it start at "state".
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
