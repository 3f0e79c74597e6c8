namespace GridActors.Cli.Tests;

/// <summary>Task modules written for one test, in a temporary folder.</summary>
internal static class Modules
{
    private static readonly string Folder = Directory.CreateTempSubdirectory("gridactors-modules-").FullName;

    public static string Write(string name, string source)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllText(path, source);
        return path;
    }

    /// <summary>A module that keeps its runner busy for <paramref name="milliseconds"/> and returns its item.</summary>
    public static string Busy(int milliseconds) =>
        Write($"busy{milliseconds}.js", $"module.exports = function (x) {{ var end = Date.now() + {milliseconds}; while (Date.now() < end) {{}} return x }}\n");
}
