using System.Text.Json;
using System.Text.Json.Serialization;

namespace GridActors.Runtime.Messaging;

/// <summary>What one WebSocket message carries between silos, or between a client and its gateway silo.</summary>
/// <param name="Kind">The message's role.</param>
/// <param name="Id">Correlates a response with its call; 0 for one-way calls.</param>
/// <param name="Target">The grain called.</param>
/// <param name="Interface">The full name of the interface that declares the method.</param>
/// <param name="Method">The method's name (grain interfaces have no overloads).</param>
/// <param name="Payload">The arguments (a JSON array) of a call, or the result of a response.</param>
/// <param name="ErrorType">The exception type of a failed call.</param>
/// <param name="Error">The exception message of a failed call.</param>
public sealed record WireMessage(
    WireKind Kind,
    long Id = 0,
    GrainId? Target = null,
    string? Interface = null,
    string? Method = null,
    JsonElement? Payload = null,
    string? ErrorType = null,
    string? Error = null);

/// <summary>The role of a <see cref="WireMessage"/>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WireKind>))]
public enum WireKind
{
    /// <summary>A grain call that expects a response.</summary>
    Call,

    /// <summary>A grain call that expects none.</summary>
    OneWay,

    /// <summary>The result of a call.</summary>
    Response,

    /// <summary>The failure of a call.</summary>
    Failure,
}

/// <summary>The JSON contract of the wire envelope.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WireMessage))]
internal sealed partial class WireJsonContext : JsonSerializerContext;
