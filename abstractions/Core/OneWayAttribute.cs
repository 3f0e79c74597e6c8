namespace GridActors;

/// <summary>
/// Marks a grain method whose caller does not wait for it: the call returns once the message is
/// queued. Use it to break call cycles between grains and on fire-and-forget notifications.
/// The method must return <see cref="Task"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OneWayAttribute : Attribute;
