using System.Reflection;

namespace GridActors.Runtime;

/// <summary>Makes grain references.</summary>
internal sealed class GrainFactory(GrainTypeRegistry registry, IGrainCallInvoker invoker) : IGrainFactory
{
    public TGrain GetGrain<TGrain>(string key)
        where TGrain : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(key);
        var proxy = DispatchProxy.Create<TGrain, GrainReference>();
        ((GrainReference)(object)proxy).Initialize(new GrainId(registry.TypeNameOf(typeof(TGrain)), key), invoker);
        return proxy;
    }
}
