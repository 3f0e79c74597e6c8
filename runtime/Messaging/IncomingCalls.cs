namespace GridActors.Runtime.Messaging;

/// <summary>Runs the grain calls that arrive over a <see cref="WireChannel"/> as calls of this silo.</summary>
public sealed class IncomingCalls
{
    private readonly GrainCallCodec _codec;
    private readonly IGrainCallInvoker _invoker;

    internal IncomingCalls(GrainCallCodec codec, IGrainCallInvoker invoker)
    {
        _codec = codec;
        _invoker = invoker;
    }

    /// <summary>Runs one call; returns its response, or null for a one-way call.</summary>
    public async Task<WireMessage?> HandleAsync(WireMessage message)
    {
        var (method, arguments) = _codec.DecodeCall(message);
        var target = message.Target ?? throw new GrainCallException("A call arrived without its target grain.");
        var result = await _invoker.InvokeAsync(target, method, arguments);
        return message.Kind == WireKind.Call ? _codec.EncodeResult(message.Id, method, result) : null;
    }
}
