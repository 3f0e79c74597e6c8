namespace GridActors.Grains.Storage;

/// <summary>The names the grid's grains give Orleans' storage providers.</summary>
public static class GridStorage
{
    /// <summary>The grain-state provider of the grid's grains: Redis in a grid, memory in the embedded grid.</summary>
    public const string Name = "grid";
}
