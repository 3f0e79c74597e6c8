using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ClearScript;
using Microsoft.ClearScript.JavaScript;
using Microsoft.ClearScript.V8;

namespace GridActors.Runner.Engines;

/// <summary>
/// A task's engine in V8, through ClearScript: a V8 runtime of its own (its own heap and its own
/// limits), with nothing of the host exposed. ClearScript's <c>EngineInternal</c> helper and its
/// console are removed before the module runs; the prelude's console takes their place.
/// </summary>
internal sealed partial class V8TaskEngine : TaskEngine
{
    private readonly V8ScriptEngine _engine;
    private readonly ScriptObject _start;
    private readonly ScriptObject _startBatch;
    private readonly ScriptObject _compare;
    private readonly ScriptObject _takeBatch;
    private readonly ScriptObject _poll;
    private readonly ScriptObject _takeConsole;
    private readonly ScriptObject _abandon;

    private V8TaskEngine(V8ScriptEngine engine, ScriptObject host)
    {
        _engine = engine;

        // A function ClearScript hands out from GetProperty costs 100-150 µs a call, one returned
        // from a call 2-5 µs (measured on 7.5.1.1): the job host's functions are fetched by a call.
        var member = (ScriptObject)engine.Evaluate("(host, name) => host[name]");
        _start = (ScriptObject)member.Invoke(false, host, "start");
        _startBatch = (ScriptObject)member.Invoke(false, host, "startBatch");
        _compare = (ScriptObject)member.Invoke(false, host, "compare");
        _takeBatch = (ScriptObject)member.Invoke(false, host, "takeBatch");
        _poll = (ScriptObject)member.Invoke(false, host, "poll");
        _takeConsole = (ScriptObject)member.Invoke(false, host, "takeConsole");
        _abandon = (ScriptObject)member.Invoke(false, host, "abandon");
    }

    /// <summary>The engine and the ClearScript release that carries its V8, as the silo's log and <c>grid volunteers</c> show it.</summary>
    public static string Version => "V8 (ClearScript " + typeof(V8ScriptEngine).Assembly.GetName().Version!.ToString(3) + ")";

    /// <summary>Makes an engine and loads a module into it; <paramref name="deadline"/> interrupts a top level that does not end.</summary>
    public static V8TaskEngine Load(string name, string source, EngineLimits limits, CancellationToken deadline = default)
    {
        var constraints = new V8RuntimeConstraints
        {
            // The hard limits, past which V8 ends the process, sit above the soft limit that ends the job.
            MaxOldSpaceSize = checked((int)((limits.MemoryBytes >> 20) + 256)),
            MaxArrayBufferAllocation = (ulong)limits.MemoryBytes,
        };
        var engine = new V8ScriptEngine(name, constraints, V8ScriptEngineFlags.HideHostExceptions)
        {
            MaxRuntimeHeapSize = (UIntPtr)(ulong)limits.MemoryBytes,
            MaxRuntimeStackUsage = (UIntPtr)(ulong)limits.StackBytes,
            AllowReflection = false,
            EnableAutoHostVariables = false,
        };
        var interruption = deadline.Register(engine.Interrupt);
        try
        {
            engine.DocumentSettings = new DocumentSettings { Loader = new TaskModuleLoader(name, source), AccessFlags = DocumentAccessFlags.None };
            engine.Execute("delete globalThis.EngineInternal; delete globalThis.console;");
            var prelude = (ScriptObject)engine.Evaluate(new DocumentInfo("gridactors-prelude.js") { Flags = DocumentFlags.None }, Prelude);
            var host = (ScriptObject)prelude.Invoke(false, engine.Global, name, Version);
            string problem;
            if (IsStandardModule(source))
            {
                engine.Execute(
                    new DocumentInfo("gridactors-main.mjs") { Category = ModuleCategory.Standard, Flags = DocumentFlags.None },
                    $"import * as task from '{ModuleSpecifier}'; globalThis.__gridTask = task;");
                problem = (string)((ScriptObject)host.GetProperty("useModule")).Invoke(false, engine.Evaluate("(() => { const t = globalThis.__gridTask; delete globalThis.__gridTask; return t; })()"));
            }
            else
            {
                var wrapper = engine.Evaluate(new DocumentInfo(name) { Flags = DocumentFlags.None }, CommonJsWrapper(source));
                problem = (string)((ScriptObject)host.GetProperty("useCommonJs")).Invoke(false, wrapper);
            }

            if (problem.Length > 0)
            {
                throw new ModuleLoadException($"{name}: {problem}");
            }

            interruption.Dispose();
            if (deadline.IsCancellationRequested)
            {
                engine.CancelInterrupt();
            }

            return new V8TaskEngine(engine, host);
        }
        catch (Exception exception) when (exception is ScriptEngineException or ScriptInterruptedException)
        {
            interruption.Dispose();
            engine.Dispose();
            var translated = Translate(exception, name);
            throw translated is JobException ? new ModuleLoadException($"{name}: {translated.Message}") : translated;
        }
        catch
        {
            interruption.Dispose();
            engine.Dispose();
            throw;
        }
    }

    public override string Start(string itemJson, string seed) => Call(_start, itemJson, seed);

    public override string Compare(string pairsJson) => Call(_compare, pairsJson);

    public override string StartBatch(string itemsJson, double budgetMs, string seedsJson) => Call(_startBatch, itemsJson, budgetMs, seedsJson);

    public override string TakeBatch() => Call(_takeBatch);

    public override string Poll() => Call(_poll);

    public override string TakeConsole() => Call(_takeConsole);

    public override void Abandon() => Call(_abandon);

    public override void Interrupt() => _engine.Interrupt();

    public override void CancelInterrupt() => _engine.CancelInterrupt();

    public override void Dispose() => _engine.Dispose();

    private string Call(ScriptObject function, params object[] arguments)
    {
        try
        {
            return function.Invoke(false, arguments) as string ?? string.Empty;
        }
        catch (Exception exception) when (exception is ScriptEngineException or ScriptInterruptedException)
        {
            throw Translate(exception, _engine.Name);
        }
    }

    private static Exception Translate(Exception exception, string name) => exception switch
    {
        ScriptInterruptedException => new EngineInterruptedException(),
        ScriptEngineException { IsFatal: true } fatal when fatal.Message.Contains("memory", StringComparison.OrdinalIgnoreCase) => new EngineMemoryException("V8 heap"),
        ScriptEngineException script => new JobException(Describe(script, name)),
        _ => exception,
    };

    // "SyntaxError: Unexpected token '*' (line 2)": V8's message, and the module's line from its error details.
    private static string Describe(ScriptEngineException exception, string name)
    {
        var message = exception.Message;
        var line = Location().Matches(exception.ErrorDetails ?? string.Empty)
            .FirstOrDefault(m => m.Groups["doc"].Value == name);
        return line is null ? message : string.Create(CultureInfo.InvariantCulture, $"{message} (line {line.Groups["line"].Value})");
    }

    [GeneratedRegex(@"at (?:[^\n(]*\()?(?<doc>[^\n():]+?)(?: \[temp\])?:(?<line>\d+):\d+")]
    private static partial Regex Location();

    /// <summary>Serves the task's own module to <c>import</c>, and refuses every other import: no files, no network.</summary>
    private sealed class TaskModuleLoader(string name, string source) : DocumentLoader
    {
        public override Task<Document> LoadDocumentAsync(DocumentSettings settings, DocumentInfo? sourceInfo, string specifier, DocumentCategory category, DocumentContextCallback contextCallback)
        {
            if (specifier == ModuleSpecifier)
            {
                return Task.FromResult<Document>(new StringDocument(new DocumentInfo(name) { Category = ModuleCategory.Standard, Flags = DocumentFlags.None }, source));
            }

            throw new InvalidOperationException($"cannot import '{specifier}': a GridActors module is one file and imports nothing");
        }
    }
}
