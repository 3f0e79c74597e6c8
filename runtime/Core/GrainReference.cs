using System.Reflection;

namespace GridActors.Runtime;

/// <summary>The proxy behind a grain interface: each call becomes a message to the grain.</summary>
public class GrainReference : DispatchProxy
{
    private GrainId _grainId;
    private IGrainCallInvoker? _invoker;

    internal GrainId GrainId => _grainId;

    internal void Initialize(GrainId grainId, IGrainCallInvoker invoker)
    {
        _grainId = grainId;
        _invoker = invoker;
    }

    /// <inheritdoc/>
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.DeclaringType == typeof(object))
        {
            return targetMethod.Name switch
            {
                nameof(ToString) => _grainId.ToString(),
                nameof(GetHashCode) => (int)_grainId.StableHash,
                _ => throw new NotSupportedException($"{targetMethod.Name} is not supported on a grain reference."),
            };
        }

        var method = GrainMethod.For(targetMethod);
        return method.ToCallerTask(_invoker!.InvokeAsync(_grainId, method, args));
    }
}
