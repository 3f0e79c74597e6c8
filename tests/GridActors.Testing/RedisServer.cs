using System.Diagnostics;

namespace GridActors.Testing;

/// <summary>A real redis-server on a free loopback port, with its files in a temporary folder.</summary>
public sealed class RedisServer : IDisposable
{
    private Process _process;
    private readonly string _folder;

    public RedisServer()
    {
        _folder = Directory.CreateTempSubdirectory("gridactors-redis-").FullName;
        Port = Ports.Free();
        _process = Start();
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Stops Redis gracefully (it writes its append-only file) and starts it again on the same port and folder.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        StartAgain();
    }

    /// <summary>Stops Redis gracefully; <see cref="StartAgain"/> brings it back with its data.</summary>
    public async Task StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync().WaitAsync(Eventually.Limit);
    }

    /// <summary>Starts Redis again on the same port and folder, after <see cref="StopAsync"/>.</summary>
    public void StartAgain()
    {
        _process.Dispose();
        _process = Start();
    }

    public void Dispose()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private Process Start()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            WorkingDirectory = _folder,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _folder, "--save", "", "--appendonly", "yes"])
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException("redis-server is not installed; ./test.sh installs it (apt-get install redis-server).", exception);
        }

        // Ready when the server says so in its log, not after a guessed delay.
        while (process.StandardOutput.ReadLine() is { } line)
        {
            if (line.Contains("Ready to accept connections", StringComparison.Ordinal))
            {
                _ = process.StandardOutput.ReadToEndAsync();
                return process;
            }
        }

        throw new InvalidOperationException($"redis-server did not start on port {Port}.");
    }
}
