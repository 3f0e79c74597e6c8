using System.Text.Json.Serialization;

namespace GridActors.Runtime.Messaging;

/// <summary>The JSON contracts every silo has: primitive arguments and the reminder tick.</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(TimeSpan))]
[JsonSerializable(typeof(TickStatus))]
internal sealed partial class PrimitivesJsonContext : JsonSerializerContext;
