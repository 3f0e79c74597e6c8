namespace GridActors.Runtime.Messaging;

/// <summary>Settings of grain calls.</summary>
public sealed class MessagingOptions
{
    /// <summary>How long a caller waits for a grain call to complete before it fails with <see cref="GrainCallException"/>. Default: 30 s.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
