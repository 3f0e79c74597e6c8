namespace GridActors.Runner.Engines;

/// <summary>
/// Makes task engines of one kind: V8 where its native library loads, Jint where it does not (or
/// where the silo asks for Jint with <c>grid silo --engine jint</c>).
/// </summary>
internal sealed class EngineFactory
{
    private EngineFactory(string kind, string version, string? fallbackReason)
    {
        Kind = kind;
        Version = version;
        FallbackReason = fallbackReason;
    }

    /// <summary>"v8" or "jint".</summary>
    public string Kind { get; }

    /// <summary>The engine and its version, such as "V8 13.6.233.17".</summary>
    public string Version { get; }

    /// <summary>Why V8 is not used although it was not refused, or null.</summary>
    public string? FallbackReason { get; }

    /// <summary>Chooses the engine: <paramref name="requested"/> is "v8", "jint", or "auto" (V8 when it loads).</summary>
    /// <exception cref="InvalidOperationException">V8 was asked for and does not load here.</exception>
    public static EngineFactory Choose(string requested, EngineLimits limits)
    {
        if (requested == "jint")
        {
            return new EngineFactory("jint", JintTaskEngine.Version, null);
        }

        try
        {
            // A first engine proves the native library loads, and starts V8's platform while the silo starts.
            using var probe = V8TaskEngine.Load("warm-up.js", "module.exports = function (x) { return [x, JSON.stringify({ x: x | 0 })] }", limits);
            probe.Start("1", string.Empty);
            return new EngineFactory("v8", V8TaskEngine.Version, null);
        }
        catch (Exception exception) when (requested != "v8" && exception is DllNotFoundException or TypeInitializationException or BadImageFormatException or EntryPointNotFoundException or TypeLoadException or PlatformNotSupportedException)
        {
            return new EngineFactory("jint", JintTaskEngine.Version, $"V8 does not load on this machine ({exception.GetBaseException().Message})");
        }
    }

    /// <summary>A new engine for one task, with its module loaded; <paramref name="deadline"/> interrupts a top level that does not end.</summary>
    public TaskEngine Load(string name, string source, EngineLimits limits, CancellationToken deadline) => Kind == "v8"
        ? V8TaskEngine.Load(name, source, limits, deadline)
        : JintTaskEngine.Load(name, source, limits, deadline);
}
