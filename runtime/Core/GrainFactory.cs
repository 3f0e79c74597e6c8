using System.Reflection;

namespace GridActors.Runtime;

/// <summary>Makes grain references.</summary>
internal sealed class GrainFactory(GrainTypeRegistry registry, IGrainCallInvoker invoker) : IGrainFactory
{
    public TGrain GetGrain<TGrain>(string key)
        where TGrain : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(key);
        return (TGrain)(object)Prototype<TGrain>.Value.Bind(new GrainId(registry.TypeNameOf(typeof(TGrain)), key), invoker);
    }

    /// <summary>
    /// One unbound proxy per grain interface, copied for each reference: making a proxy through
    /// <see cref="DispatchProxy.Create{T, TProxy}"/> goes through reflection every time, and a job
    /// takes several references (7 % of the embedded grid's CPU on 100,000 trivial jobs).
    /// </summary>
    private static class Prototype<TGrain>
        where TGrain : IGrainWithStringKey
    {
        public static readonly GrainReference Value = (GrainReference)(object)DispatchProxy.Create<TGrain, GrainReference>()!;
    }
}
