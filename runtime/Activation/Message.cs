namespace GridActors.Runtime.Activation;

/// <summary>One unit of work for an activation: a grain call, or a runtime action such as a timer tick.</summary>
internal sealed class Message
{
    private Message(GrainMethod? method, object?[]? arguments, Func<Grain, Task>? action, bool expectsResponse, bool interleave)
    {
        Method = method;
        Arguments = arguments;
        Action = action;
        Interleave = interleave;
        Completion = expectsResponse ? new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously) : null;
    }

    public GrainMethod? Method { get; }

    public object?[]? Arguments { get; }

    public Func<Grain, Task>? Action { get; }

    public bool Interleave { get; }

    /// <summary>Completed with the call's result; null for one-way calls and runtime actions (timer ticks).</summary>
    public TaskCompletionSource<object?>? Completion { get; }

    public string Name => Method?.Name ?? "runtime action";

    public static Message Call(GrainMethod method, object?[]? arguments) =>
        new(method, arguments, action: null, expectsResponse: !method.IsOneWay, method.AlwaysInterleave);

    public static Message Run(Func<Grain, Task> action) =>
        new(method: null, arguments: null, action, expectsResponse: false, interleave: false);

    public Task Execute(Grain grain) => Action is not null ? Action(grain) : Method!.Invoke(grain, Arguments);

    public void Complete(Task completed) => Completion?.TrySetResult(Method?.ResultOf(completed));
}
