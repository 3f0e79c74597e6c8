using GridActors.Runtime.Activation;
using GridActors.Runtime.Persistence;
using GridActors.Runtime.Reminders;
using Microsoft.Extensions.Logging;

namespace GridActors.Runtime;

/// <summary>The services an activation needs, gathered once per silo.</summary>
internal sealed class SiloRuntime
{
    public SiloRuntime(
        IServiceProvider services,
        GrainTypeRegistry registry,
        Catalog catalog,
        IGrainFactory grainFactory,
        PersistentStateFactory states,
        IReminderRegistry reminders,
        TimeProvider timeProvider,
        ILogger<SiloRuntime> logger)
    {
        Services = services;
        Registry = registry;
        Catalog = catalog;
        GrainFactory = grainFactory;
        States = states;
        Reminders = reminders;
        TimeProvider = timeProvider;
        Logger = logger;
        catalog.Attach(this);
    }

    public IServiceProvider Services { get; }

    public GrainTypeRegistry Registry { get; }

    public Catalog Catalog { get; }

    public IGrainFactory GrainFactory { get; }

    public PersistentStateFactory States { get; }

    public IReminderRegistry Reminders { get; }

    public TimeProvider TimeProvider { get; }

    public ILogger Logger { get; }
}
