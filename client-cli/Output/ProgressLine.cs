using System.Globalization;

namespace GridActors.Cli.Output;

/// <summary>
/// A progress bar on stderr, redrawn in place four times a second: items done, of how many when that
/// is known, the rate and the time left. Shown only when stderr is a terminal, so pipes and logs stay clean.
/// </summary>
internal sealed class ProgressLine : IDisposable
{
    private const int BarWidth = 24;
    private readonly TextWriter _stderr;
    private readonly Func<long> _done;
    private readonly Func<long?> _total;
    private readonly Timer _timer;
    private readonly long _started = TimeProvider.System.GetTimestamp();
    private bool _drawn;

    private ProgressLine(TextWriter stderr, Func<long> done, Func<long?> total)
    {
        _stderr = stderr;
        _done = done;
        _total = total;
        _timer = new Timer(_ => Draw(), null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
    }

    /// <param name="stderr">Where to draw.</param>
    /// <param name="done">Items done so far.</param>
    /// <param name="total">All the items, once known; null while input still arrives.</param>
    public static ProgressLine? StartIfTerminal(TextWriter stderr, Func<long> done, Func<long?>? total = null) =>
        Console.IsErrorRedirected || stderr != Console.Error ? null : new ProgressLine(stderr, done, total ?? (() => null));

    public void Dispose()
    {
        _timer.Dispose();
        lock (_stderr)
        {
            if (_drawn)
            {
                _stderr.Write("\r\u001b[K");
                _drawn = false;
            }
        }
    }

    /// <summary>The line for <paramref name="done"/> of <paramref name="total"/> items after <paramref name="elapsed"/>.</summary>
    internal static string Format(long done, long? total, TimeSpan elapsed)
    {
        var rate = elapsed.TotalSeconds > 0 ? done / elapsed.TotalSeconds : 0;
        if (total is not { } all || all <= 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{done} done, {rate:0.#}/s");
        }

        var filled = (int)Math.Round(BarWidth * Math.Min(1.0, (double)done / all));
        var eta = rate > 0 ? FormatTime(TimeSpan.FromSeconds((all - done) / rate)) : "?";
        return string.Create(CultureInfo.InvariantCulture, $"[{new string('#', filled)}{new string('.', BarWidth - filled)}] {done}/{all} {rate:0.#}/s ETA {eta}");
    }

    internal static string FormatTime(TimeSpan time) =>
        time.TotalHours >= 1 ? $"{(int)time.TotalHours}h{time.Minutes:00}m"
        : time.TotalMinutes >= 1 ? $"{time.Minutes}m{time.Seconds:00}s"
        : $"{Math.Ceiling(time.TotalSeconds).ToString(CultureInfo.InvariantCulture)}s";

    private void Draw()
    {
        var line = Format(_done(), _total(), TimeProvider.System.GetElapsedTime(_started));
        lock (_stderr)
        {
            _stderr.Write("\r\u001b[K" + line);
            _drawn = true;
        }
    }
}
