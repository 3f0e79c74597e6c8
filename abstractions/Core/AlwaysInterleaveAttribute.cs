namespace GridActors;

/// <summary>
/// Marks a grain method that may run while another call of the same grain is in progress, such as
/// a long poll that waits for results. Such a method must not change grain state.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AlwaysInterleaveAttribute : Attribute;
