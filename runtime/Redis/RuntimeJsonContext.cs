using System.Text.Json.Serialization;

namespace GridActors.Runtime.Redis;

/// <summary>The JSON contracts of the runtime's rows in Redis.</summary>
[JsonSerializable(typeof(MembershipEntry))]
[JsonSerializable(typeof(SiloAlive))]
[JsonSerializable(typeof(ReminderEntry))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;

/// <summary>The cheap, unconditional part of a membership row.</summary>
internal sealed record SiloAlive(DateTimeOffset Time, SiloLoad Load);
