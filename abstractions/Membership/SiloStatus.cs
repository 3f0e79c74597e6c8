namespace GridActors;

/// <summary>The life cycle of a silo in the membership table.</summary>
public enum SiloStatus
{
    /// <summary>Starting; takes no work yet.</summary>
    Joining,

    /// <summary>A working member.</summary>
    Active,

    /// <summary>Leaving gracefully; takes no new work.</summary>
    ShuttingDown,

    /// <summary>Gone. A silo that reads itself Dead stops.</summary>
    Dead,
}
