using System.Diagnostics;

namespace GridActors.Cli.Tests;

/// <summary>Runs the built `grid` command as a user would, from the repository root.</summary>
internal static class GridProcess
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string GridDll { get; } = Path.Combine(AppContext.BaseDirectory, "grid.dll");

    /// <summary>A config file path where there is none.</summary>
    public static string NoConfigFile { get; } = Path.Combine(Path.GetTempPath(), "gridactors-tests-no-config", "config.json");

    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        WithoutMachineSettings(start);
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(GridDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    /// <summary>Keeps the machine's own grid settings out of a test's process: no config file, no GRIDACTORS_* variables.</summary>
    public static void WithoutMachineSettings(ProcessStartInfo start)
    {
        foreach (var variable in start.Environment.Keys.Where(k => k.StartsWith("GRIDACTORS_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(variable);
        }

        start.Environment["GRIDACTORS_CONFIG"] = NoConfigFile;
    }

    public static async Task<GridRun> RunAsync(string[] args, string? stdin = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = StartInfo(args);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"grid {string.Join(' ', args)} did not finish within 2 minutes; stderr so far: {await stderr}");
        }

        return new GridRun(process.ExitCode, await stdout, await stderr);
    }

    public static Task<GridRun> RunAsync(params string[] args) => RunAsync(args, stdin: null);

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "GridActors.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The tests run inside a GridActors checkout.");
    }
}

internal sealed record GridRun(int ExitCode, string Stdout, string Stderr);
