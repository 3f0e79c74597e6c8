using System.Reflection;

namespace GridActors.Runtime;

/// <summary>The proxy behind a grain interface: each call becomes a message to the grain.</summary>
public class GrainReference : DispatchProxy
{
    private GrainId _grainId;
    private IGrainCallInvoker? _invoker;

    internal GrainId GrainId => _grainId;

    /// <summary>A copy of this proxy (of the same generated type) that calls <paramref name="grainId"/> through <paramref name="invoker"/>.</summary>
    internal GrainReference Bind(GrainId grainId, IGrainCallInvoker invoker)
    {
        var reference = (GrainReference)MemberwiseClone();
        reference._grainId = grainId;
        reference._invoker = invoker;
        return reference;
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
