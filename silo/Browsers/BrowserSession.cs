using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using GridActors.Grains.Browsers;
using GridActors.Grains.Runners;
using GridActors.Grid;
using Microsoft.Extensions.Logging;

namespace GridActors.Silo.Browsers;

/// <summary>
/// A browser tab volunteering over its WebSocket: the silo's side of the /volunteer page. Jobs its
/// volunteer grain gives it wait here and go to the tab a few at a time (about 50 ms of work per Web
/// Worker, two at least), so the tab never holds much more than it can start. When the socket ends,
/// every job it held ends as withdrawn, and its tasks reissue them.
/// </summary>
internal sealed partial class BrowserSession : IBrowserVolunteer
{
    /// <summary>The most Web Workers a tab may offer.</summary>
    public const int MaxCores = 256;

    /// <summary>
    /// Jobs sent ahead to the tab per Web Worker: about <see cref="AheadMs"/> of work, judged from the
    /// tab's job times, at least two (so a worker never waits for the silo between jobs) and at most
    /// <see cref="MaxAheadPerWorker"/> (quick jobs, whose round trips to the silo would otherwise bound the tab).
    /// </summary>
    private const double AheadMs = 50;

    private const int MinAheadPerWorker = 2;

    private const int MaxAheadPerWorker = 64;

    /// <summary>The largest message a tab may send.</summary>
    private const int MaxMessageBytes = 32 * 1024 * 1024;

    private readonly object _lock = new();
    private readonly WebSocket _socket;
    private readonly BrowserSessions _sessions;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _outputLimit;
    private readonly LinkedList<RunnerJob> _queue = new();
    private readonly Dictionary<long, (RunnerJob Job, long Sent)> _sent = [];
    private readonly Dictionary<string, (string Name, string Source)> _modules = new(StringComparer.Ordinal);
    private readonly HashSet<string> _modulesSent = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private long _nextJob;
    private double _averageJobMs = -1;
    private long _lastProgress;
    private int _cores;
    private string? _closeReason;

    public BrowserSession(string id, string invitationKey, string browser, string agent, string engine, int cores, WebSocket socket, BrowserSessions sessions, long outputLimit, TimeProvider time, ILogger logger)
    {
        Id = id;
        InvitationKey = invitationKey;
        Identity = $"browser-{browser}@{invitationKey}";
        Agent = agent;
        Engine = engine;
        _cores = Math.Clamp(cores, 1, MaxCores);
        _socket = socket;
        _sessions = sessions;
        _outputLimit = outputLimit;
        _time = time;
        _logger = logger;
    }

    public string Id { get; }

    public string InvitationKey { get; }

    public string Identity { get; }

    public string Agent { get; }

    public string Engine { get; }

    public int Size => Volatile.Read(ref _cores);

    public Task Closed => _closed.Task;

    /// <summary>Why the session ended, once it has.</summary>
    public string? CloseReason => _closeReason;

    public bool HasModule(string hash)
    {
        lock (_lock)
        {
            return _modules.ContainsKey(hash);
        }
    }

    public void AddModule(string hash, string name, string source)
    {
        lock (_lock)
        {
            _modules.TryAdd(hash, (name, source));
        }
    }

    public void Submit(RunnerJob job)
    {
        bool closed;
        lock (_lock)
        {
            closed = _closeReason is not null;
            if (!closed)
            {
                _queue.AddLast(job);
            }
        }

        if (closed)
        {
            job.OnDone(job, Withdrawn());
            return;
        }

        Pump();
    }

    public void Cancel(Func<RunnerJob, bool> match)
    {
        List<RunnerJob> cancelled = [];
        List<long> stop = [];
        lock (_lock)
        {
            for (var node = _queue.First; node is not null;)
            {
                var next = node.Next;
                if (match(node.Value))
                {
                    cancelled.Add(node.Value);
                    _queue.Remove(node);
                }

                node = next;
            }

            foreach (var (id, sent) in _sent.Where(s => match(s.Value.Job)).ToList())
            {
                _sent.Remove(id);
                cancelled.Add(sent.Job);
                stop.Add(id);
            }
        }

        foreach (var job in cancelled)
        {
            job.OnDone(job, new RunnerResult(null, "cancelled with its task", JobErrorKind.Cancelled, TimeSpan.Zero));
        }

        if (stop.Count > 0)
        {
            Send(Message(w =>
            {
                w.WriteString("t", "cancel");
                w.WriteStartArray("ids");
                foreach (var id in stop)
                {
                    w.WriteNumberValue(id);
                }

                w.WriteEndArray();
            }));
        }

        Pump();
    }

    public bool AllBusyFor(TimeSpan duration)
    {
        lock (_lock)
        {
            var cutoff = _time.GetTimestamp() - (long)(duration.TotalSeconds * _time.TimestampFrequency);
            return _sent.Values.Count(s => s.Sent < cutoff) >= _cores;
        }
    }

    public (int Running, int Queued, int Capacity) GetWorkload()
    {
        lock (_lock)
        {
            var running = Math.Min(_sent.Count, _cores);
            return (running, _queue.Count + _sent.Count - running, _cores);
        }
    }

    public void Drop(string reason)
    {
        Send(Message(w =>
        {
            w.WriteString("t", "dropped");
            w.WriteString("reason", reason);
        }));
        End(reason, WebSocketCloseStatus.PolicyViolation);
    }

    /// <summary>Reads the tab's messages until its socket ends; then withdraws every job it held.</summary>
    public async Task RunAsync(Func<int, Task> coresChanged)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using var watchdog = _time.CreateTimer(_ => CheckOverdue(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                buffer.ResetWrittenCount();
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await _socket.ReceiveAsync(buffer.GetMemory(16 * 1024), _stop.Token);
                    buffer.Advance(received.Count);
                    if (buffer.WrittenCount > MaxMessageBytes)
                    {
                        End($"it sent a message over {MaxMessageBytes / (1024 * 1024)} MiB", WebSocketCloseStatus.MessageTooBig);
                        return;
                    }
                }
                while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);

                if (received.MessageType == WebSocketMessageType.Close)
                {
                    End("the tab closed its connection", WebSocketCloseStatus.NormalClosure);
                    return;
                }

                if (!await OnMessageAsync(buffer.WrittenMemory, coresChanged))
                {
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or JsonException or InvalidOperationException)
        {
            End(_stop.IsCancellationRequested ? _closeReason ?? "dropped" : $"its connection ended ({exception.Message})", WebSocketCloseStatus.InternalServerError);
        }
        finally
        {
            End("its connection ended", WebSocketCloseStatus.NormalClosure);
        }
    }

    private async Task<bool> OnMessageAsync(ReadOnlyMemory<byte> bytes, Func<int, Task> coresChanged)
    {
        using var message = JsonDocument.Parse(bytes);
        var root = message.RootElement;
        switch (root.GetProperty("t").GetString())
        {
            case "done":
                foreach (var outcome in root.GetProperty("jobs").EnumerateArray())
                {
                    OnDone(outcome);
                }

                Pump();
                return true;
            case "cores":
                Volatile.Write(ref _cores, Math.Clamp(root.GetProperty("cores").GetInt32(), 1, MaxCores));
                await coresChanged(Size);
                Pump();
                return true;
            default:
                End("it sent a message the grid does not know", WebSocketCloseStatus.ProtocolError);
                return false;
        }
    }

    private void OnDone(JsonElement outcome)
    {
        var id = outcome.GetProperty("id").GetInt64();
        RunnerJob job;
        TimeSpan elapsed;
        lock (_lock)
        {
            if (!_sent.Remove(id, out var sent))
            {
                // Cancelled meanwhile, or an answer the silo never asked for.
                return;
            }

            // The tab's own measure of the job, but never more than the silo saw pass.
            job = sent.Job;
            _lastProgress = _time.GetTimestamp();
            var seen = _time.GetElapsedTime(sent.Sent, _lastProgress);
            elapsed = outcome.TryGetProperty("ms", out var ms) && ms.TryGetDouble(out var reported) && reported >= 0
                ? TimeSpan.FromMilliseconds(Math.Min(reported, seen.TotalMilliseconds))
                : seen;
            _averageJobMs = _averageJobMs < 0 ? elapsed.TotalMilliseconds : (0.9 * _averageJobMs) + (0.1 * elapsed.TotalMilliseconds);
        }

        job.OnDone(job, Result(outcome, elapsed));
        _sessions.CountJob();
    }

    private RunnerResult Result(JsonElement outcome, TimeSpan elapsed)
    {
        if (outcome.GetProperty("ok").GetBoolean())
        {
            var value = outcome.GetProperty("value").GetString() ?? "null";
            var size = Encoding.UTF8.GetByteCount(value);
            if (size > _outputLimit)
            {
                return new RunnerResult(null, $"result of {size:N0} bytes exceeds the {_outputLimit:N0}-byte limit", JobErrorKind.Output, elapsed);
            }

            try
            {
                // A result is stored and printed as JSON text: text from a tab is checked to be that.
                using var parsed = JsonDocument.Parse(value);
            }
            catch (JsonException)
            {
                return new RunnerResult(null, "the browser returned a result that is not JSON", JobErrorKind.Lost, elapsed);
            }

            return new RunnerResult(value, null, JobErrorKind.Script, elapsed);
        }

        var error = outcome.GetProperty("error").GetString() ?? "failed";
        var kind = outcome.TryGetProperty("kind", out var k) ? k.GetString() : "script";
        return new RunnerResult(null, error, kind switch
        {
            "timeout" => JobErrorKind.Timeout,
            "module" => JobErrorKind.Module,
            "memory" => JobErrorKind.Memory,
            "output" => JobErrorKind.Output,
            _ => JobErrorKind.Script,
        }, elapsed);
    }

    /// <summary>Sends queued jobs (and their modules, the first time) while the tab has room for them.</summary>
    private void Pump()
    {
        List<(long Id, RunnerJob Job)> batch = [];
        List<(string Hash, string Name, string Source)> modules = [];
        lock (_lock)
        {
            var ahead = _averageJobMs < 0 ? MinAheadPerWorker : (int)Math.Clamp(AheadMs / Math.Max(_averageJobMs, 0.01), MinAheadPerWorker, MaxAheadPerWorker);
            if (_sent.Count == 0)
            {
                _lastProgress = _time.GetTimestamp();
            }

            while (_closeReason is null && _queue.First is { } first && _sent.Count < _cores * ahead)
            {
                _queue.RemoveFirst();
                var id = ++_nextJob;
                var job = first.Value;
                _sent[id] = (job, _time.GetTimestamp());
                batch.Add((id, job));
                if (_modulesSent.Add(job.ModuleHash) && _modules.TryGetValue(job.ModuleHash, out var module))
                {
                    modules.Add((job.ModuleHash, module.Name, module.Source));
                }
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        foreach (var (hash, name, source) in modules)
        {
            Send(Message(w =>
            {
                w.WriteString("t", "module");
                w.WriteString("hash", hash);
                w.WriteString("name", name);
                w.WriteString("source", source);
            }));
        }

        Send(Message(w =>
        {
            w.WriteString("t", "jobs");
            w.WriteStartArray("jobs");
            foreach (var (id, job) in batch)
            {
                w.WriteStartObject();
                w.WriteNumber("id", id);
                w.WriteString("task", job.Task ?? job.ModuleHash);
                w.WriteString("module", job.ModuleHash);
                w.WriteString("item", job.Item);
                w.WriteNumber("timeoutMs", (long)job.Timeout.TotalMilliseconds);
                if (job.Seed is not null)
                {
                    w.WriteString("seed", job.Seed);
                }
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }));
    }

    /// <summary>
    /// A tab that holds jobs and has answered none for longer than the longest limit among them, and
    /// ten seconds more, is not running them (the page ends a worker at its job's limit, so a working
    /// tab always answers within it): it is dropped and its jobs withdrawn.
    /// </summary>
    private void CheckOverdue()
    {
        string? overdue = null;
        lock (_lock)
        {
            if (_sent.Count > 0)
            {
                var limit = _sent.Values.Max(s => s.Job.Timeout) + TimeSpan.FromSeconds(10);
                if (_time.GetElapsedTime(_lastProgress) > limit)
                {
                    overdue = $"it answered no job for {limit.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s";
                }
            }
        }

        if (overdue is not null)
        {
            Drop(overdue);
        }
    }

    /// <summary>Ends the session once: every job it held ends as withdrawn, and the socket is closed.</summary>
    private void End(string reason, WebSocketCloseStatus status)
    {
        List<RunnerJob> withdrawn;
        lock (_lock)
        {
            if (_closeReason is not null)
            {
                return;
            }

            _closeReason = reason;
            withdrawn = [.. _sent.Values.Select(s => s.Job), .. _queue];
            _sent.Clear();
            _queue.Clear();
        }

        LogLeft(_logger, Id, withdrawn.Count, reason);
        _sessions.Remove(this);
        foreach (var job in withdrawn)
        {
            job.OnDone(job, Withdrawn());
        }

        _ = CloseSocketAsync(status, reason);
        _closed.TrySetResult();
    }

    private RunnerResult Withdrawn() =>
        new(null, $"its browser volunteer left ({_closeReason ?? "gone"})", JobErrorKind.Withdrawn, TimeSpan.Zero);

    /// <summary>
    /// Closes the socket after the messages before it. The reader goes on until the tab answers the
    /// close (a few seconds at most): stopping it at once would abort the connection, and the last
    /// messages, such as why the tab was dropped, could be lost on the way.
    /// </summary>
    private async Task CloseSocketAsync(WebSocketCloseStatus status, string reason)
    {
        var closing = TimeSpan.Zero;
        try
        {
            await _sending.WaitAsync();
            try
            {
                if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    await _socket.CloseOutputAsync(status, reason.Length > 120 ? reason[..120] : reason, timeout.Token);
                    closing = TimeSpan.FromSeconds(3);
                }
            }
            finally
            {
                _sending.Release();
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The socket is gone already.
        }
        finally
        {
            _stop.CancelAfter(closing);
        }
    }

    /// <summary>Sends a message outside the caller's turn; messages go out one at a time, in order.</summary>
    internal void Send(byte[] message) => _ = SendAsync(message);

    private async Task SendAsync(byte[] message)
    {
        await _sending.WaitAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, _stop.Token);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            End("its connection failed", WebSocketCloseStatus.InternalServerError);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>A JSON object written by <paramref name="write"/>.</summary>
    internal static byte[] Message(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "Browser volunteer {Volunteer} left, {Count} jobs withdrawn: {Reason}")]
    private static partial void LogLeft(ILogger logger, string volunteer, int count, string reason);
}
