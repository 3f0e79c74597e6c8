using System.Diagnostics;
using System.Globalization;
using System.Text;
using GridActors.Testing;

namespace GridActors.Cli.Tests;

/// <summary>`grid run --stdin` against a silo, fed items 1..N, whose output the test reads as it comes.</summary>
internal sealed class StreamingClient : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;
    private readonly Task _feeding;
    private readonly StringBuilder _stdout = new();
    private readonly string[] _grid;

    private StreamingClient(string module, string[] grid, int items)
    {
        _grid = grid;
        var process = Process.Start(GridProcess.StartInfo(["run", module, "--stdin", .. grid]))!;
        _process = process;
        _stderr = process.StandardError.ReadToEndAsync();
        _feeding = Task.Run(async () =>
        {
            for (var i = 1; i <= items; i++)
            {
                await process.StandardInput.WriteLineAsync(i.ToString(CultureInfo.InvariantCulture));
            }

            process.StandardInput.Close();
        });
    }

    public static StreamingClient Start(string module, int port, int items) =>
        new(module, ["--grid", $"127.0.0.1:{port}", "--secret", "s3cret"], items);

    /// <summary>Starts a client that finds its gateway in Redis, and fails over to another silo when it is lost.</summary>
    public static StreamingClient StartThroughRedis(string module, string redis, string cluster, int items) =>
        new(module, ["--redis", redis, "--cluster", cluster, "--secret", "s3cret"], items);

    /// <summary>Waits until <paramref name="count"/> more result lines have arrived.</summary>
    public async Task ReadAsync(int count)
    {
        for (var read = 0; read < count && await _process.StandardOutput.ReadLineAsync().WaitAsync(Eventually.Limit) is { } line; read++)
        {
            _stdout.Append(line).Append('\n');
        }
    }

    /// <summary>Reads the rest of the output and waits for the client to exit; if it does not, the message shows the <paramref name="silos"/>' last log lines.</summary>
    public async Task<GridRun> FinishAsync(params SiloProcess[] silos)
    {
        var rest = _process.StandardOutput.ReadToEndAsync();
        try
        {
            _stdout.Append(await rest.WaitAsync(TimeSpan.FromMinutes(2)));
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        }
        catch (TimeoutException exception)
        {
            // What the client had printed says where it stopped.
            _process.Kill(entireProcessTree: true);
            var stdout = _stdout + await rest;
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            throw new TimeoutException(
                $"grid run did not finish: {lines.Length} result lines (the last: {lines.LastOrDefault()}); its stderr: {await _stderr}\ngrid status:\n{await TasksAsync()}{SiloProcess.Tails(silos)}",
                exception);
        }

        await _feeding;
        return new GridRun(_process.ExitCode, _stdout.ToString(), await _stderr);
    }

    /// <summary>What grid status says of every task of the grid the client used: whether the task saw more finished items than the client printed.</summary>
    private async Task<string> TasksAsync()
    {
        try
        {
            var tasks = await GridProcess.RunAsync(["status", .. _grid]).WaitAsync(TimeSpan.FromSeconds(30));
            return tasks.Stdout + tasks.Stderr;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            return "grid tasks failed: " + exception.Message;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
