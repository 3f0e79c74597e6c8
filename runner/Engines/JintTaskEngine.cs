using Jint;
using Jint.Native;
using System.Text.RegularExpressions;
using Jint.Runtime;
using Jint.Runtime.Modules;

namespace GridActors.Runner.Engines;

/// <summary>
/// A task's engine in Jint 4, a JavaScript interpreter written in .NET: the fallback where V8's
/// native library is not available (its package is built for linux-x64 only), with the same
/// language level, job host and sandbox, and slower. CLR interop is off; the limits are Jint's
/// own constraints: memory allocated by the job, call depth, and an interruption flag the runner
/// raises at the job's time limit.
/// </summary>
internal sealed partial class JintTaskEngine : TaskEngine
{
    private readonly Engine _engine;
    private readonly Interruption _interruption;
    private readonly JsValue _start;
    private readonly JsValue _startBatch;
    private readonly JsValue _compare;
    private readonly JsValue _takeBatch;
    private readonly JsValue _poll;
    private readonly JsValue _takeConsole;
    private readonly JsValue _abandon;
    private readonly string _name;

    private JintTaskEngine(Engine engine, Interruption interruption, JsValue host, string name)
    {
        _engine = engine;
        _interruption = interruption;
        _name = name;
        _start = host.Get("start");
        _startBatch = host.Get("startBatch");
        _compare = host.Get("compare");
        _takeBatch = host.Get("takeBatch");
        _poll = host.Get("poll");
        _takeConsole = host.Get("takeConsole");
        _abandon = host.Get("abandon");
    }

    /// <summary>Jint's version, as the silo's log and <c>grid volunteers</c> show it.</summary>
    public static string Version => "Jint " + typeof(Engine).Assembly.GetName().Version!.ToString(3);

    /// <summary>Makes an engine and loads a module into it; <paramref name="deadline"/> interrupts a top level that does not end.</summary>
    public static JintTaskEngine Load(string name, string source, EngineLimits limits, CancellationToken deadline = default)
    {
        var interruption = new Interruption();
        var engine = new Engine(options =>
        {
            options.LimitMemory(limits.MemoryBytes);

            // Jint's calls run on the runner's own stack; about one call per 100 bytes of the
            // stack limit gives node's depth for the same setting.
            options.LimitRecursion(checked((int)Math.Max(100, limits.StackBytes / 100)));
            options.Constraint(interruption);
            options.Interop.Enabled = false;
            options.EnableModules(new TaskModuleLoader(source));
        });
        var registration = deadline.Register(() => interruption.Raised = true);
        try
        {
            var prelude = engine.Evaluate(Prelude, "gridactors-prelude.js");
            var host = engine.Invoke(prelude, engine.Evaluate("globalThis"), name, Version);
            string problem;
            if (IsStandardModule(source))
            {
                var ns = engine.Modules.Import(ModuleSpecifier);
                problem = engine.Invoke(host.Get("useModule"), ns).AsString();
            }
            else
            {
                var wrapper = engine.Evaluate(CommonJsWrapper(source), name);
                problem = engine.Invoke(host.Get("useCommonJs"), wrapper).AsString();
            }

            engine.Advanced.ProcessTasks();
            if (problem.Length > 0)
            {
                throw new ModuleLoadException($"{name}: {problem}");
            }

            registration.Dispose();
            interruption.Raised = false;
            return new JintTaskEngine(engine, interruption, host, name);
        }
        catch (Exception exception) when (exception is not ModuleLoadException)
        {
            registration.Dispose();
            engine.Dispose();
            var translated = Translate(exception, name);
            throw translated is JobException ? new ModuleLoadException($"{name}: {translated.Message}") : translated;
        }
    }

    public override string Start(string itemJson, string seed) => Call(_start, itemJson, seed);

    public override string Compare(string pairsJson) => Call(_compare, pairsJson);

    public override string StartBatch(string itemsJson, double budgetMs, string seedsJson) => Call(_startBatch, itemsJson, budgetMs, seedsJson);

    public override string TakeBatch() => Call(_takeBatch);

    public override string Poll() => Call(_poll);

    public override string TakeConsole() => Call(_takeConsole);

    public override void Abandon() => Call(_abandon);

    public override void Interrupt() => _interruption.Raised = true;

    public override void CancelInterrupt() => _interruption.Raised = false;

    public override void Dispose() => _engine.Dispose();

    private string Call(JsValue function, params JsValue[] arguments)
    {
        try
        {
            var answer = _engine.Invoke(function, arguments).AsString();

            // Promise continuations run between calls, as V8 runs them when a call returns.
            _engine.Advanced.ProcessTasks();
            return answer;
        }
        catch (Exception exception)
        {
            throw Translate(exception, _name);
        }
    }

    // Everything Jint throws becomes the job's error, worded as V8 words it, but for the runner's own
    // interruption and the .NET heap running out, which the runner answers itself.
    private static Exception Translate(Exception exception, string name) => exception switch
    {
        EngineInterruptedException or OutOfMemoryException => exception,
        MemoryLimitExceededException => new EngineMemoryException("Jint"),
        RecursionDepthOverflowException => new JobException("RangeError: Maximum call stack size exceeded"),
        JavaScriptException script => new JobException(Describe(script, name)),
        _ => new JobException(exception.Message),
    };

    private static string Describe(JavaScriptException exception, string name)
    {
        var errorName = exception.Error.IsObject() && exception.Error.Get("name") is { } n && n.IsString() ? n.AsString() + ": " : string.Empty;
        var message = Location().Replace(exception.Message, string.Empty);
        var line = exception.Location.SourceFile == name && exception.Location.Start.Line > 0 ? $" (line {exception.Location.Start.Line})" : string.Empty;
        return errorName + message + line;
    }

    [GeneratedRegex(@" \([^()]*:\d+:\d+\)$")]
    private static partial Regex Location();

    /// <summary>Serves the task's own module to <c>import</c>, and refuses every other import: no files, no network.</summary>
    private sealed class TaskModuleLoader(string source) : ModuleLoader
    {
        public override ResolvedSpecifier Resolve(string? referencingModuleLocation, ModuleRequest moduleRequest) =>
            new(moduleRequest, moduleRequest.Specifier, null, SpecifierType.Bare);

        protected override string LoadModuleContents(Engine engine, ResolvedSpecifier resolved) => resolved.Key == ModuleSpecifier
            ? source
            : throw new InvalidOperationException($"cannot import '{resolved.Key}': a GridActors module is one file and imports nothing");
    }

    /// <summary>The runner's time limit in Jint's terms: a constraint checked between statements.</summary>
    private sealed class Interruption : Constraint
    {
        public volatile bool Raised;

        public override void Check()
        {
            if (Raised)
            {
                throw new EngineInterruptedException();
            }
        }

        public override void Reset()
        {
        }
    }
}
