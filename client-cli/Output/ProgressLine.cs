using System.Globalization;

namespace GridActors.Cli.Output;

/// <summary>A progress line on stderr, redrawn in place, shown only when stderr is a terminal.</summary>
internal sealed class ProgressLine : IDisposable
{
    private readonly TextWriter _stderr;
    private readonly Func<long> _done;
    private readonly Timer _timer;
    private readonly long _started = TimeProvider.System.GetTimestamp();
    private bool _drawn;

    private ProgressLine(TextWriter stderr, Func<long> done)
    {
        _stderr = stderr;
        _done = done;
        _timer = new Timer(_ => Draw(), null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
    }

    public static ProgressLine? StartIfTerminal(TextWriter stderr, Func<long> done) =>
        Console.IsErrorRedirected || stderr != Console.Error ? null : new ProgressLine(stderr, done);

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

    private void Draw()
    {
        var done = _done();
        var seconds = TimeProvider.System.GetElapsedTime(_started).TotalSeconds;
        var rate = seconds > 0 ? done / seconds : 0;
        lock (_stderr)
        {
            _stderr.Write(string.Create(CultureInfo.InvariantCulture, $"\r\u001b[K{done} done, {rate:0.#}/s"));
            _drawn = true;
        }
    }
}
