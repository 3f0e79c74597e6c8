using Jurassic;
using Jurassic.Library;

namespace GridActors.Runner;

/// <summary>
/// One task module in its own JavaScript engine. The engine exposes ECMAScript's built-ins and a
/// console that writes to the runner's stderr, nothing else: no file, network, process or CLR access.
/// A module exports a function in one of three forms: <c>module.exports = function (x) {...}</c>,
/// <c>module.exports = function (x, cb) {...}</c>, or Pando's <c>module.exports['/pando/1.0.0'] = function (x, cb) {...}</c>.
/// </summary>
internal sealed class ModuleHost
{
    private const string PandoExport = "/pando/1.0.0";

    // Parses the item, calls the module and serialises its result inside the engine: one crossing per job.
    // The answer is "1" + JSON on success, "0" + message when the module called back with an error.
    private const string Invoker = """
        (function (fn, itemJson, callbackStyle) {
          var item = JSON.parse(itemJson), value;
          if (callbackStyle) {
            var called = false, failure = null;
            fn(item, function (err, result) {
              if (called) return;
              called = true;
              if (err !== null && err !== undefined) failure = (err && err.message !== undefined) ? String(err.message) : String(err);
              else value = result;
            });
            if (!called) return '0the module returned without calling its callback; GridActors modules run synchronously, so call cb(null, result) before returning';
            if (failure !== null) return '0' + failure;
          } else {
            value = fn(item);
          }
          var json = JSON.stringify(value);
          return '1' + (json === undefined ? 'null' : json);
        })
        """;

    private readonly FunctionInstance _function;
    private readonly FunctionInstance _invoker;
    private readonly bool _callbackStyle;

    private ModuleHost(FunctionInstance function, FunctionInstance invoker, bool callbackStyle)
    {
        _function = function;
        _invoker = invoker;
        _callbackStyle = callbackStyle;
    }

    /// <summary>Evaluates a module. Throws <see cref="ModuleLoadException"/> when it does not load or exports no function.</summary>
    public static ModuleHost Load(string name, string source, int recursionLimit, TextWriter console)
    {
        var engine = new ScriptEngine
        {
            EnableExposedClrTypes = false,
            RecursionDepthLimit = recursionLimit,
        };
        engine.SetGlobalFunction("__gridConsole", new Action<string>(line =>
        {
            lock (console)
            {
                console.WriteLine(line);
                console.Flush();
            }
        }));
        engine.Execute("""
            var console = (function (write) {
              function line(args) { return Array.prototype.map.call(args, function (a) { return typeof a === 'string' ? a : JSON.stringify(a); }).join(' '); }
              return { log: function () { write(line(arguments)); }, info: function () { write(line(arguments)); },
                       warn: function () { write(line(arguments)); }, error: function () { write(line(arguments)); } };
            })(__gridConsole);
            delete this.__gridConsole;
            """);

        object exported;
        try
        {
            // The wrapper opens on the module's first line, so line numbers in errors match the file.
            var wrapper = (FunctionInstance)engine.Evaluate(new StringScriptSource("(function (module, exports) {" + source + "\n})", name));
            var module = engine.Object.Construct();
            var exports = engine.Object.Construct();
            module["exports"] = exports;
            wrapper.Call(engine.Global, module, exports);
            exported = module["exports"];
        }
        catch (JavaScriptException exception)
        {
            throw new ModuleLoadException($"{name}: {Describe(exception)}");
        }
        catch (StackOverflowException)
        {
            throw new ModuleLoadException($"{name}: recursion deeper than {recursionLimit} calls while loading the module");
        }

        var (function, callbackStyle) = exported switch
        {
            FunctionInstance f => (f, f.Length >= 2),
            ObjectInstance o when o[PandoExport] is FunctionInstance pando => (pando, true),
            _ => throw new ModuleLoadException(
                $"{name}: the module exports no function. Export one: module.exports = function (x) {{ return ... }}, " +
                $"module.exports = function (x, cb) {{ cb(null, ...) }}, or module.exports['{PandoExport}'] = function (x, cb) {{ ... }}"),
        };
        var invoker = (FunctionInstance)engine.Evaluate(Invoker);
        return new ModuleHost(function, invoker, callbackStyle);
    }

    /// <summary>Runs the module on one item (JSON text) and returns the result as JSON text.</summary>
    /// <exception cref="JobException">The module threw, called back with an error, or recursed too deeply.</exception>
    public string Run(string itemJson, int recursionLimit)
    {
        string answer;
        try
        {
            answer = TypeConverter.ToString(_invoker.Call(Undefined.Value, _function, itemJson, _callbackStyle));
        }
        catch (JavaScriptException exception)
        {
            throw new JobException(Describe(exception));
        }
        catch (StackOverflowException)
        {
            throw new JobException($"recursion deeper than {recursionLimit} calls (the runner's limit)");
        }

        return answer[0] == '1' ? answer[1..] : throw new JobException(answer[1..]);
    }

    private static string Describe(JavaScriptException exception)
    {
        var message = exception.Message;
        return exception.LineNumber > 0 ? $"{message} (line {exception.LineNumber})" : message;
    }
}

/// <summary>A module does not load.</summary>
internal sealed class ModuleLoadException(string message) : Exception(message);

/// <summary>A job failed in the module's own code.</summary>
internal sealed class JobException(string message) : Exception(message);
