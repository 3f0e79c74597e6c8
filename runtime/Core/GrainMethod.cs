using System.Collections.Concurrent;
using System.Reflection;

namespace GridActors.Runtime;

/// <summary>What the runtime knows of one grain interface method: how to call it, and how it may be scheduled.</summary>
internal sealed class GrainMethod
{
    private static readonly ConcurrentDictionary<MethodInfo, GrainMethod> Cache = new();

    private readonly Func<Task, object?> _resultOf;
    private readonly Func<Task<object?>, object> _toCallerTask;

    private GrainMethod(MethodInfo method)
    {
        Method = method;
        Name = $"{method.DeclaringType!.Name}.{method.Name}";
        IsOneWay = method.IsDefined(typeof(OneWayAttribute), inherit: false);
        AlwaysInterleave = method.IsDefined(typeof(AlwaysInterleaveAttribute), inherit: false);
        var returnType = method.ReturnType;
        if (returnType == typeof(Task))
        {
            _resultOf = static _ => null;
            _toCallerTask = static task => task;
        }
        else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            if (IsOneWay)
            {
                throw new InvalidOperationException($"{Name} is [OneWay] and returns a value; one-way methods return Task.");
            }

            var converter = typeof(TaskConverter<>).MakeGenericType(returnType.GetGenericArguments()[0]);
            _resultOf = converter.GetMethod(nameof(TaskConverter<int>.ResultOf))!.CreateDelegate<Func<Task, object?>>();
            _toCallerTask = converter.GetMethod(nameof(TaskConverter<int>.ToCallerTask))!.CreateDelegate<Func<Task<object?>, object>>();
        }
        else
        {
            throw new InvalidOperationException($"{Name} returns {returnType.Name}; grain methods return Task or Task<T>.");
        }
    }

    public MethodInfo Method { get; }

    public string Name { get; }

    public bool IsOneWay { get; }

    public bool AlwaysInterleave { get; }

    public static GrainMethod For(MethodInfo method) => Cache.GetOrAdd(method, static m => new GrainMethod(m));

    /// <summary>Calls the method on a grain instance and returns its task.</summary>
    public Task Invoke(object grain, object?[]? arguments)
        => (Task)Method.Invoke(grain, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null)!;

    /// <summary>The value of a completed task returned by <see cref="Invoke"/>.</summary>
    public object? ResultOf(Task completed) => _resultOf(completed);

    /// <summary>Turns the runtime's untyped result into the Task or Task&lt;T&gt; the caller expects.</summary>
    public object ToCallerTask(Task<object?> result) => _toCallerTask(result);

    private static class TaskConverter<T>
    {
        public static object? ResultOf(Task task) => ((Task<T>)task).Result;

        public static object ToCallerTask(Task<object?> task) => Convert(task);

        private static async Task<T> Convert(Task<object?> task) => (T)(await task.ConfigureAwait(false))!;
    }
}
