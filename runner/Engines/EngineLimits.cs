namespace GridActors.Runner.Engines;

/// <summary>The limits every task's engine is held to, from the runner's settings.</summary>
/// <param name="MemoryBytes">The engine's heap, and separately its ArrayBuffer and WebAssembly memory.</param>
/// <param name="StackBytes">How much stack the module's code may use: recursion deeper than this is a RangeError.</param>
internal sealed record EngineLimits(long MemoryBytes, long StackBytes);
