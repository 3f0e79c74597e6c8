namespace GridActors.Runtime;

/// <summary>Settings of idle activation collection.</summary>
public sealed class GrainCollectionOptions
{
    /// <summary>An activation idle this long is deactivated. Default: 2 minutes.</summary>
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often idle activations are looked for. Default: 30 s.</summary>
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromSeconds(30);
}
