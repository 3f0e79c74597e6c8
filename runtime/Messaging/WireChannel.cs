using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;

namespace GridActors.Runtime.Messaging;

/// <summary>
/// One authenticated WebSocket between a silo and a peer (another silo or a client), multiplexing grain
/// calls in both directions: each call carries an id, its response carries the same id. Messages are
/// sent by one writer loop, so a busy caller never interleaves frames, and many small messages queue
/// behind a slow one instead of blocking their callers. The messages queued when the writer comes
/// round go out as one WebSocket message, one per line (compact JSON holds no raw line break), up to
/// <see cref="MaxBatchBytes"/>: a busy silo sends a burst of calls with one write, not one each.
/// </summary>
public sealed class WireChannel : IAsyncDisposable
{
    /// <summary>The most bytes of queued messages that go out together; a larger message goes alone.</summary>
    internal const int MaxBatchBytes = 64 * 1024;
    private const byte Separator = (byte)'\n';
    private const string Refused = "refused: wrong cluster secret";
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
    private readonly WebSocket _socket;
    private readonly GrainCallCodec _codec;
    private readonly Func<WireMessage, Task<WireMessage?>> _onCall;
    private readonly Channel<byte[]> _outbox = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, (GrainMethod Method, TaskCompletionSource<object?> Response)> _pending = new();
    private readonly CancellationTokenSource _closed = new();
    private long _nextId;

    private WireChannel(WebSocket socket, GrainCallCodec codec, Func<WireMessage, Task<WireMessage?>> onCall)
    {
        _socket = socket;
        _codec = codec;
        _onCall = onCall;
        Completion = Task.WhenAll(Task.Run(WriteLoopAsync), Task.Run(ReadLoopAsync));
    }

    /// <summary>Completes when the connection has closed, for whatever reason.</summary>
    public Task Completion { get; }

    /// <summary>Whether the connection is still up: false once either side closed it or it broke.</summary>
    public bool IsOpen => !_closed.IsCancellationRequested;

    /// <summary>Accepts a peer: challenges it and refuses it unless it proves the secret.</summary>
    /// <exception cref="UnauthorizedAccessException">The peer did not prove the secret; the socket is closed with the reason.</exception>
    public static async Task<WireChannel> AcceptAsync(WebSocket socket, ClusterSecret secret, GrainCallCodec codec, Func<WireMessage, Task<WireMessage?>> onCall, CancellationToken cancellationToken)
    {
        // A peer that never answers must not hold the silo: the handshake has a time limit.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(HandshakeTimeout);
        cancellationToken = limit.Token;
        var challenge = ClusterSecret.NewChallenge();
        await socket.SendAsync(challenge, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
        var proof = await ReceiveAsync(socket, cancellationToken);
        if (proof is null || !secret.Verify(challenge, proof))
        {
            // Say why, and let the peer read it before the connection goes: a reset could overtake the reason.
            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, Refused, cancellationToken);
            await DrainUntilCloseAsync(socket, cancellationToken);
            socket.Abort();
            throw new UnauthorizedAccessException("A peer was refused: it did not prove the cluster secret.");
        }

        await socket.SendAsync("welcome"u8.ToArray(), WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
        return new WireChannel(socket, codec, onCall);
    }

    /// <summary>Connects to a silo: answers its challenge with the secret's proof.</summary>
    /// <exception cref="UnauthorizedAccessException">The silo refused the secret.</exception>
    public static async Task<WireChannel> ConnectAsync(WebSocket socket, ClusterSecret secret, GrainCallCodec codec, Func<WireMessage, Task<WireMessage?>> onCall, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(HandshakeTimeout);
        cancellationToken = limit.Token;
        var challenge = await ReceiveAsync(socket, cancellationToken) ?? throw new WebSocketException("The silo closed the connection before its challenge.");
        await socket.SendAsync(secret.Prove(challenge), WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
        var welcome = await ReceiveAsync(socket, cancellationToken);
        if (welcome is null || !welcome.AsSpan().SequenceEqual("welcome"u8))
        {
            if (socket.State == WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
            }

            throw new UnauthorizedAccessException(socket.CloseStatusDescription == Refused
                ? "The grid refused the cluster secret. Give the grid's secret with --secret or GRIDACTORS_SECRET."
                : $"The silo closed the connection during the handshake ({socket.CloseStatusDescription ?? "no reason given"}).");
        }

        return new WireChannel(socket, codec, onCall);
    }

    /// <summary>Calls a grain on the peer and returns its result.</summary>
    internal Task<object?> CallAsync(GrainId target, GrainMethod method, object?[]? arguments)
    {
        if (method.IsOneWay)
        {
            Send(_codec.EncodeCall(0, target, method, arguments));
            return Task.FromResult<object?>(null);
        }

        var id = Interlocked.Increment(ref _nextId);
        var response = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = (method, response);
        Send(_codec.EncodeCall(id, target, method, arguments));
        if (_closed.IsCancellationRequested && _pending.TryRemove(id, out _))
        {
            response.TrySetException(new GrainCallException("The connection to the peer is closed."));
        }

        return response.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _outbox.Writer.TryComplete();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "closing", CancellationToken.None);
            }
        }
        catch (WebSocketException)
        {
            // The peer is already gone.
        }

        await _closed.CancelAsync();
        _socket.Abort();
        await Completion;
        _socket.Dispose();
    }

    private void Send(WireMessage message)
    {
        if (!_outbox.Writer.TryWrite(GrainCallCodec.Serialize(message)))
        {
            throw new GrainCallException("The connection to the peer is closed.");
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            var reader = _outbox.Reader;
            var batch = new ArrayBufferWriter<byte>(MaxBatchBytes);
            while (await reader.WaitToReadAsync(_closed.Token))
            {
                while (reader.TryRead(out var frame))
                {
                    if (frame.Length >= MaxBatchBytes)
                    {
                        await SendBatchAsync(batch);
                        await _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, _closed.Token);
                        continue;
                    }

                    if (batch.WrittenCount + 1 + frame.Length > MaxBatchBytes)
                    {
                        await SendBatchAsync(batch);
                    }

                    if (batch.WrittenCount > 0)
                    {
                        batch.GetSpan(1)[0] = Separator;
                        batch.Advance(1);
                    }

                    batch.Write(frame);
                }

                await SendBatchAsync(batch);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The read loop sees the same end and fails what is pending.
        }
    }

    private async ValueTask SendBatchAsync(ArrayBufferWriter<byte> batch)
    {
        if (batch.WrittenCount == 0)
        {
            return;
        }

        await _socket.SendAsync(batch.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, _closed.Token);
        batch.ResetWrittenCount();
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (await ReceiveAsync(_socket, _closed.Token) is { } frame)
            {
                var rest = frame.AsSpan();
                while (!rest.IsEmpty)
                {
                    var end = rest.IndexOf(Separator);
                    var message = GrainCallCodec.Deserialize(end < 0 ? rest : rest[..end]);
                    rest = end < 0 ? [] : rest[(end + 1)..];
                    switch (message.Kind)
                    {
                        case WireKind.Response or WireKind.Failure:
                            Complete(message);
                            break;
                        default:
                            _ = HandleCallAsync(message);
                            break;
                    }
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException or JsonException)
        {
            // The connection is over; what is pending fails below.
        }
        finally
        {
            await _closed.CancelAsync();
            _outbox.Writer.TryComplete();
            foreach (var id in _pending.Keys)
            {
                if (_pending.TryRemove(id, out var call))
                {
                    call.Response.TrySetException(new GrainCallException($"The connection closed before {call.Method.Name} answered."));
                }
            }
        }
    }

    private void Complete(WireMessage message)
    {
        if (!_pending.TryRemove(message.Id, out var call))
        {
            return;
        }

        try
        {
            if (message.Kind == WireKind.Failure)
            {
                call.Response.TrySetException(GrainCallCodec.DecodeFailure(message));
            }
            else
            {
                call.Response.TrySetResult(_codec.DecodeResult(message, call.Method));
            }
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException or InvalidOperationException)
        {
            call.Response.TrySetException(new GrainCallException($"The result of {call.Method.Name} could not be read: {exception.Message}", exception));
        }
    }

    private async Task HandleCallAsync(WireMessage message)
    {
        WireMessage? reply;
        try
        {
            reply = await _onCall(message);
        }
        catch (Exception exception)
        {
            reply = message.Kind == WireKind.Call ? GrainCallCodec.EncodeFailure(message.Id, exception) : null;
        }

        if (reply is not null && message.Kind == WireKind.Call)
        {
            _outbox.Writer.TryWrite(GrainCallCodec.Serialize(reply));
        }
    }

    private static async Task DrainUntilCloseAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        try
        {
            while (await ReceiveAsync(socket, cancellationToken) is not null)
            {
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
            // The peer went without answering the close; nothing more to tell it.
        }
    }

    private static async Task<byte[]?> ReceiveAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            using var message = new MemoryStream();
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }

                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    return message.ToArray();
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
