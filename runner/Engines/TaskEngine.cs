using System.Text.RegularExpressions;

namespace GridActors.Runner.Engines;

/// <summary>
/// One task's JavaScript engine: its module, its globals and the job host of <c>prelude.js</c>.
/// Jobs of one task share it, so a module-level cache stays warm as in node; no other task's
/// code ever runs in it. Engines are made by <see cref="EngineFactory"/>.
/// </summary>
internal abstract partial class TaskEngine : IDisposable
{
    /// <summary>The name a module that uses <c>export</c>/<c>import</c> is imported by; it can import nothing else.</summary>
    protected const string ModuleSpecifier = "gridactors:task";

    /// <summary>The job host, evaluated before the module: a function of (global, module name, engine name).</summary>
    protected static string Prelude { get; } = ReadPrelude();

    /// <summary>Calls the module on one item (JSON text) and returns the prelude's answer. A non-empty <paramref name="seed"/> seeds the job's Math.random.</summary>
    public abstract string Start(string itemJson, string seed);

    /// <summary>Calls the module on several items (a JSON array) while each answers at once, for at most <paramref name="budgetMs"/>; returns the answers, each as its length, ':' and the answer. <paramref name="seedsJson"/> is a JSON array of the items' seeds, or empty.</summary>
    public abstract string StartBatch(string itemsJson, double budgetMs, string seedsJson);

    /// <summary>Judges pairs of results (a JSON array of [a, b]) with the module's compare function; the answer's payload is a JSON array of booleans, or null when the module exports none.</summary>
    public abstract string Compare(string pairsJson);

    /// <summary>The answers of a batch that was interrupted, as <see cref="StartBatch"/> returns them.</summary>
    public abstract string TakeBatch();

    /// <summary>Runs due timers and returns the prelude's answer.</summary>
    public abstract string Poll();

    /// <summary>Console lines written since the last call, joined by newlines.</summary>
    public abstract string TakeConsole();

    /// <summary>Forgets an unfinished job: its timers and its late answer.</summary>
    public abstract void Abandon();

    /// <summary>Stops the running script as soon as possible; safe from any thread.</summary>
    public abstract void Interrupt();

    /// <summary>Withdraws an interruption that arrived after its job ended.</summary>
    public abstract void CancelInterrupt();

    public abstract void Dispose();

    /// <summary>Whether a module is written with <c>export</c>/<c>import</c> rather than <c>module.exports</c>.</summary>
    internal static bool IsStandardModule(string source) => ModuleSyntax().IsMatch(source);

    /// <summary>Wraps a CommonJS module in a function of (module, exports) that opens on its first line, so line numbers match the file.</summary>
    protected static string CommonJsWrapper(string source) => "(function (module, exports) {" + source + "\n})";

    private static string ReadPrelude()
    {
        using var stream = typeof(TaskEngine).Assembly.GetManifestResourceStream("prelude.js")
            ?? throw new InvalidOperationException("The runner was built without its prelude.js.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^\s*(export\s+(default\b|\{|\*|const\b|let\b|var\b|function\b|async\b|class\b)|import(\s+[\w{*'""]|\s*[{*'""]))", RegexOptions.Multiline)]
    private static partial Regex ModuleSyntax();
}

/// <summary>A module does not load.</summary>
internal sealed class ModuleLoadException(string message) : Exception(message);

/// <summary>The task's engine went past its memory limit; it can run nothing more.</summary>
internal sealed class EngineMemoryException(string detail) : Exception(detail);

/// <summary>The running script was stopped by <see cref="TaskEngine.Interrupt"/>.</summary>
internal sealed class EngineInterruptedException() : Exception("interrupted");
