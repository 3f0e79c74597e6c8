namespace GridActors.Runtime.Messaging;

/// <summary>Sends every grain call over one channel: how a client reaches the grid through its gateway silo.</summary>
internal sealed class RemoteGrainCallInvoker(WireChannel channel) : IGrainCallInvoker
{
    public Task<object?> InvokeAsync(GrainId target, GrainMethod method, object?[]? arguments) =>
        channel.CallAsync(target, method, arguments);
}
