using System.Reflection;

namespace GridActors.Runtime;

/// <summary>Makes grain references.</summary>
internal sealed class GrainFactory(GrainTypeRegistry registry, IGrainCallInvoker invoker) : IGrainFactory
{
    private static readonly MethodInfo CreateProxy = typeof(DispatchProxy)
        .GetMethods()
        .Single(m => m.Name == nameof(DispatchProxy.Create) && m.IsGenericMethodDefinition);

    public TGrain GetGrain<TGrain>(string key)
        where TGrain : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(key);
        var proxy = DispatchProxy.Create<TGrain, GrainReference>();
        ((GrainReference)(object)proxy).Initialize(new GrainId(registry.TypeNameOf(typeof(TGrain)), key), invoker);
        return proxy;
    }

    /// <summary>A reference of the given interface type, for callers that know the type only at run time.</summary>
    public object GetGrain(Type grainInterface, GrainId grainId)
    {
        var proxy = CreateProxy.MakeGenericMethod(grainInterface, typeof(GrainReference)).Invoke(null, null)!;
        ((GrainReference)proxy).Initialize(grainId, invoker);
        return proxy;
    }
}
