namespace GridActors.Runtime;

/// <summary>Delivers a grain call to wherever the grain is activated and returns its result.</summary>
internal interface IGrainCallInvoker
{
    Task<object?> InvokeAsync(GrainId target, GrainMethod method, object?[]? arguments);
}
