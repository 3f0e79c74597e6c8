using GridActors.Grid;

namespace GridActors.Grains.Volunteers;

/// <summary>
/// The times of a volunteer's jobs, one by one: their spread (mean, standard deviation, least, most,
/// by Welford's running sums) for <c>grid volunteers</c>, and a moving average the volunteer sizes its
/// prefetch by. Not thread-safe: updated inside the volunteer's grain turns.
/// </summary>
internal sealed class JobTimes
{
    private double _mean;
    private double _squares;
    private double _min = double.MaxValue;
    private double _max;

    /// <summary>Jobs measured.</summary>
    public long Count { get; private set; }

    /// <summary>The time runners spent on jobs.</summary>
    public TimeSpan Busy { get; private set; }

    /// <summary>A moving average of a job's time in ticks (recent jobs weigh most); 0 before the first job.</summary>
    public double AverageTicks { get; private set; }

    /// <summary>Takes note of one job's time.</summary>
    public void Add(TimeSpan elapsed)
    {
        Count++;
        Busy += elapsed;
        var ms = elapsed.TotalMilliseconds;
        var delta = ms - _mean;
        _mean += delta / Count;
        _squares += delta * (ms - _mean);
        _min = Math.Min(_min, ms);
        _max = Math.Max(_max, ms);
        var ticks = Math.Max(elapsed.Ticks, 1);
        AverageTicks = AverageTicks <= 0 ? ticks : (0.9 * AverageTicks) + (0.1 * ticks);
    }

    /// <summary>The spread of job times in milliseconds; all zero before the first job.</summary>
    public Spread Spread() => Count == 0
        ? new Spread(0, 0, 0, 0)
        : new Spread(_mean, Count > 1 ? Math.Sqrt(_squares / (Count - 1)) : 0, _min, _max);
}
