namespace GridActors.Silo.Dashboard;

/// <summary>
/// Jobs per second from counters read once a second (a silo's jobs run, a volunteer's jobs done, a
/// task's finished items), each over the last few seconds. A one-second difference swings between
/// nothing and double: silos publish their counts once a second, not in step with the dashboard,
/// so the same work read through a silo and through its volunteers would show different rates.
/// </summary>
internal sealed class Rates(TimeProvider time, TimeSpan window)
{
    private readonly Dictionary<string, Queue<(long Time, long Count)>> _seen = new(StringComparer.Ordinal);

    /// <summary>Records <paramref name="count"/> for <paramref name="key"/> at <paramref name="now"/> (a <see cref="TimeProvider"/> timestamp), and gives its rate.</summary>
    public double Of(string key, long count, long now)
    {
        if (!_seen.TryGetValue(key, out var seen))
        {
            seen = new Queue<(long, long)>();
            _seen[key] = seen;
        }

        // A counter that went back (a browser tab that came back as a new volunteer) starts again.
        if (seen.Count > 0 && count < seen.Last().Count)
        {
            seen.Clear();
        }

        seen.Enqueue((now, count));
        while (seen.Count > 2 && time.GetElapsedTime(seen.Peek().Time, now) > window)
        {
            seen.Dequeue();
        }

        var (firstTime, firstCount) = seen.Peek();
        var span = time.GetElapsedTime(firstTime, now).TotalSeconds;
        return span > 0 ? Math.Round((count - firstCount) / span, 1) : 0;
    }

    /// <summary>Forgets the keys no longer seen: silos gone, volunteers left, tasks deleted.</summary>
    public void KeepOnly(IEnumerable<string> live)
    {
        foreach (var gone in _seen.Keys.Except(live, StringComparer.Ordinal).ToList())
        {
            _seen.Remove(gone);
        }
    }
}
