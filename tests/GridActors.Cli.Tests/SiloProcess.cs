using System.Diagnostics;

namespace GridActors.Cli.Tests;

/// <summary>A `grid silo` process; its stderr lines are kept, and tests wait for the lines they expect.</summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private readonly List<string> _log = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waits = [];

    private SiloProcess(Process process) => Process = process;

    public Process Process { get; }

    /// <summary>Its --name.</summary>
    public string Name { get; private init; } = "";

    /// <summary>The port of its HTTP endpoint: /volunteer, the dashboard.</summary>
    public int HttpPort { get; private init; }

    /// <summary>The lines the silo has written to stderr so far.</summary>
    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_log)
            {
                return [.. _log];
            }
        }
    }

    private static int OtherFreePort(params int[] taken)
    {
        while (true)
        {
            var port = Testing.Ports.Free();
            if (!taken.Contains(port))
            {
                return port;
            }
        }
    }

    /// <summary>
    /// Starts `grid silo --cpus 1` (unless <paramref name="options"/> give --cpus) with its gateway on <paramref name="port"/> (its silo and HTTP ports
    /// on other free ports) and waits until it has joined; <paramref name="options"/> are added to its command line.
    /// </summary>
    public static async Task<SiloProcess> StartAsync(string redis, string cluster, int port, string name, params string[] options)
    {
        static string Text(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // A free port is only free until someone binds it, and the gateway's is not bound yet: the
        // same number can come back, so the three are chosen to differ.
        var siloPort = OtherFreePort(port);
        var httpPort = OtherFreePort(port, siloPort);
        string[] cpus = options.Contains("--cpus") ? [] : ["--cpus", "1"];
        var start = GridProcess.StartInfo([
            "silo", "--redis", redis, "--cluster", cluster, "--port", Text(port), "--silo-port", Text(siloPort), "--http-port", Text(httpPort),
            "--secret", "s3cret", .. cpus, "--name", name, .. options]);

        // The grid's own debug lines are its recoveries (jobs reissued, holders that did not answer,
        // hand-overs retried): a test that times out shows them with the silo's log.
        start.Environment["Logging__LogLevel__GridActors"] = "Debug";
        var silo = new SiloProcess(Process.Start(start)!)
        {
            Name = name,
            HttpPort = httpPort,
        };
        silo.Process.ErrorDataReceived += (_, e) => silo.OnLine(e.Data);
        silo.Process.OutputDataReceived += (_, _) => { };
        silo.Process.BeginErrorReadLine();
        silo.Process.BeginOutputReadLine();
        try
        {
            await silo.WaitForLineAsync(l => l.StartsWith($"grid: silo {name} joined cluster", StringComparison.Ordinal));
        }
        catch (TimeoutException exception)
        {
            // A silo that never joins is stopped here: no test holds it to dispose of it.
            await silo.DisposeAsync();
            throw new TimeoutException($"grid silo {name} did not join within {Testing.Eventually.Limit.TotalSeconds} s; its log:\n{string.Join('\n', silo.Log)}", exception);
        }

        return silo;
    }

    /// <summary>The last lines of each silo's log, for the message of a test that timed out.</summary>
    public static string Tails(IEnumerable<SiloProcess> silos, int lines = 40) =>
        string.Concat(silos.Select(s => $"\nsilo {s.Name}'s last log lines:\n{string.Join('\n', s.Log.TakeLast(lines))}"));

    public Task<string> WaitForLineAsync(Func<string, bool> match)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_log)
        {
            var earlier = _log.FirstOrDefault(match);
            if (earlier is not null)
            {
                seen.SetResult(earlier);
            }
            else
            {
                _waits.Add((match, seen));
            }
        }

        return seen.Task.WaitAsync(Testing.Eventually.Limit);
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }

        Process.Dispose();
    }

    private void OnLine(string? line)
    {
        lock (_log)
        {
            if (line is null)
            {
                foreach (var (_, seen) in _waits)
                {
                    seen.TrySetException(new InvalidOperationException("grid silo exited; its log: " + string.Join('\n', _log)));
                }

                return;
            }

            _log.Add(line);
            foreach (var wait in _waits.Where(w => w.Match(line)).ToList())
            {
                wait.Seen.TrySetResult(line);
                _waits.Remove(wait);
            }
        }
    }
}
