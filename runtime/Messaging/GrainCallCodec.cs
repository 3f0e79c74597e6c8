using System.Collections.Concurrent;
using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using GridActors.Runtime.Persistence;
using Microsoft.Extensions.Options;

namespace GridActors.Runtime.Messaging;

/// <summary>
/// Turns grain calls into <see cref="WireMessage"/>s and back. Arguments and results are serialised by
/// their declared types with the source-generated contracts registered in <see cref="SerializationOptions"/>;
/// methods are found by interface and name among the grain interfaces this process knows.
/// </summary>
public sealed class GrainCallCodec
{
    private static readonly Dictionary<string, Func<string, Exception>> KnownErrors = new(StringComparer.Ordinal)
    {
        [typeof(InvalidOperationException).FullName!] = m => new InvalidOperationException(m),
        [typeof(ArgumentException).FullName!] = m => new ArgumentException(m),
        [typeof(ArgumentOutOfRangeException).FullName!] = m => new ArgumentOutOfRangeException(null, m),
        [typeof(InconsistentStateException).FullName!] = m => new InconsistentStateException(m),
        [typeof(TimeoutException).FullName!] = m => new TimeoutException(m),
    };

    private readonly JsonSerializerOptions _json;
    private readonly ConcurrentDictionary<string, Type?> _interfaces = new(StringComparer.Ordinal);

    public GrainCallCodec(IOptions<SerializationOptions> options)
    {
        _json = new JsonSerializerOptions { TypeInfoResolver = JsonTypeInfoResolver.Combine([.. options.Value.Resolvers]) };
    }

    internal WireMessage EncodeCall(long id, GrainId target, GrainMethod method, object?[]? arguments)
    {
        var parameters = method.Method.GetParameters();
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (var i = 0; i < parameters.Length; i++)
            {
                JsonSerializer.Serialize(writer, arguments![i], TypeInfo(parameters[i].ParameterType, method));
            }

            writer.WriteEndArray();
        }

        return new WireMessage(
            method.IsOneWay ? WireKind.OneWay : WireKind.Call,
            id,
            target,
            method.Method.DeclaringType!.FullName,
            method.Method.Name,
            JsonDocument.Parse(buffer.WrittenMemory).RootElement);
    }

    internal (GrainMethod Method, object?[] Arguments) DecodeCall(WireMessage message)
    {
        var type = _interfaces.GetOrAdd(message.Interface ?? string.Empty, FindInterface)
            ?? throw new GrainCallException($"This process knows no grain interface '{message.Interface}'.");
        var method = type.GetMethod(message.Method ?? string.Empty)
            ?? throw new GrainCallException($"Grain interface {type.Name} has no method '{message.Method}'.");
        var grainMethod = GrainMethod.For(method);
        var parameters = method.GetParameters();
        var payload = message.Payload ?? throw new GrainCallException("A call arrived without its arguments.");
        if (payload.GetArrayLength() != parameters.Length)
        {
            throw new GrainCallException($"{grainMethod.Name} takes {parameters.Length} arguments, the call carried {payload.GetArrayLength()}.");
        }

        var arguments = new object?[parameters.Length];
        var index = 0;
        foreach (var element in payload.EnumerateArray())
        {
            arguments[index] = element.Deserialize(TypeInfo(parameters[index].ParameterType, grainMethod));
            index++;
        }

        return (grainMethod, arguments);
    }

    internal WireMessage EncodeResult(long id, GrainMethod method, object? result)
    {
        var resultType = method.Method.ReturnType.IsGenericType ? method.Method.ReturnType.GetGenericArguments()[0] : null;
        JsonElement? payload = resultType is null ? null : JsonSerializer.SerializeToElement(result, TypeInfo(resultType, method));
        return new WireMessage(WireKind.Response, id, Payload: payload);
    }

    internal object? DecodeResult(WireMessage message, GrainMethod method)
    {
        var resultType = method.Method.ReturnType.IsGenericType ? method.Method.ReturnType.GetGenericArguments()[0] : null;
        return resultType is null || message.Payload is not { } payload ? null : payload.Deserialize(TypeInfo(resultType, method));
    }

    /// <summary>
    /// A failure to send back. Redis being away (restarting, or out of reach for a moment) is not the
    /// grain's fault: it goes as a <see cref="GrainCallException"/>, which callers may repeat.
    /// </summary>
    internal static WireMessage EncodeFailure(long id, Exception exception) =>
        exception is StackExchange.Redis.RedisConnectionException or StackExchange.Redis.RedisTimeoutException
            ? new(WireKind.Failure, id, ErrorType: typeof(GrainCallException).FullName, Error: $"The grid's storage did not answer: {exception.Message}")
            : new(WireKind.Failure, id, ErrorType: exception.GetType().FullName, Error: exception.Message);

    /// <summary>The exception a remote failure stands for: the same type where it is a known one.</summary>
    internal static Exception DecodeFailure(WireMessage message) =>
        KnownErrors.TryGetValue(message.ErrorType ?? string.Empty, out var create)
            ? create(message.Error ?? string.Empty)
            : message.ErrorType == typeof(GrainCallException).FullName
                ? new GrainCallException(message.Error ?? string.Empty)
                : new GrainException($"{message.ErrorType}: {message.Error}");

    internal static byte[] Serialize(WireMessage message) => JsonSerializer.SerializeToUtf8Bytes(message, WireJsonContext.Default.WireMessage);

    internal static WireMessage Deserialize(ReadOnlySpan<byte> bytes) =>
        JsonSerializer.Deserialize(bytes, WireJsonContext.Default.WireMessage) ?? throw new JsonException("A wire message was null.");

    private JsonTypeInfo TypeInfo(Type type, GrainMethod method)
    {
        try
        {
            return _json.GetTypeInfo(type);
        }
        catch (NotSupportedException exception)
        {
            throw new InvalidOperationException($"{method.Name} uses {type.Name}, which has no JSON contract: add it to a JsonSerializerContext registered with AddSerializerContext.", exception);
        }
    }

    private static Type? FindInterface(string fullName) =>
        fullName == typeof(IRemindable).FullName
            ? typeof(IRemindable)
            : AppDomain.CurrentDomain.GetAssemblies()
                .Select(a => a.GetType(fullName, throwOnError: false))
                .FirstOrDefault(t => t is { IsInterface: true } && typeof(IGrain).IsAssignableFrom(t));
}
