using System.Net.WebSockets;
using GridActors.Runtime.Messaging;

namespace GridActors.Cli.Submission;

/// <summary>
/// The client's way to the grid, and back to it when a call fails on the way. A call that was not
/// delivered, or not answered, is repeated: every call a client makes is safe to repeat (items go by
/// index, results are read from a cursor). When the gateway silo itself is lost, a link made with
/// --redis connects to another live silo from the membership table and carries on; one made with
/// --grid has nowhere else to go and says so.
/// </summary>
internal sealed class GridLink : IAsyncDisposable
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(1);
    private readonly Func<CancellationToken, Task<GridClient>>? _connect;
    private readonly bool _failOver;
    private readonly TextWriter _log;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _reconnecting = new(1, 1);
    private readonly IGrainFactory? _inProcess;
    private GridClient? _client;

    private GridLink(IGrainFactory? inProcess, GridClient? client, Func<CancellationToken, Task<GridClient>>? connect, bool failOver, TextWriter log, TimeProvider time)
    {
        _inProcess = inProcess;
        _client = client;
        _connect = connect;
        _failOver = failOver;
        _log = log;
        _time = time;
    }

    /// <summary>How long calls keep failing before the client gives up on the grid. Default: 60 s.</summary>
    public TimeSpan GiveUpAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one call may go unanswered before it is treated as lost. Long polls wait less than this.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>A link to a grid in this process: nothing between them can fail.</summary>
    public static GridLink InProcess(IGrainFactory grains) => new(grains, null, null, failOver: false, TextWriter.Null, TimeProvider.System);

    /// <summary>Connects through <paramref name="connect"/>, and through it again whenever the gateway is lost.</summary>
    /// <param name="connect">Makes a connection to a gateway.</param>
    /// <param name="failOver">Whether a new connection may reach another silo (--redis); without it only the same one (--grid).</param>
    /// <param name="log">Where the client tells its user about a lost gateway.</param>
    /// <param name="time">The clock for retries and timeouts.</param>
    /// <param name="cancellationToken">Cancels the connection.</param>
    public static async Task<GridLink> ConnectAsync(Func<CancellationToken, Task<GridClient>> connect, bool failOver, TextWriter log, TimeProvider time, CancellationToken cancellationToken)
    {
        var client = await connect(cancellationToken);
        return new GridLink(null, client, connect, failOver, log, time);
    }

    /// <summary>Makes a call, repeating it until it gets through or the grid is given up.</summary>
    public async Task<T> CallAsync<T>(Func<IGrainFactory, Task<T>> call, CancellationToken cancellationToken)
    {
        if (_inProcess is not null)
        {
            return await call(_inProcess);
        }

        var failingSince = (DateTimeOffset?)null;
        var delay = FirstRetry;
        while (true)
        {
            var client = _client!;
            try
            {
                return await call(client.Grains).WaitAsync(CallTimeout, _time, cancellationToken);
            }
            catch (Exception exception) when (IsTransient(exception) && !cancellationToken.IsCancellationRequested)
            {
                failingSince ??= _time.GetUtcNow();
                if (_time.GetUtcNow() - failingSince > GiveUpAfter)
                {
                    throw new GridUnreachableException($"lost the grid: calls have failed for {GiveUpAfter.TotalSeconds:0} s, the last with: {exception.Message}", exception);
                }

                if (!client.IsConnected || exception is TimeoutException)
                {
                    await ReconnectAsync(client, exception, cancellationToken);
                }

                await Task.Delay(delay, _time, cancellationToken);
                delay = delay * 2 < LongestRetry ? delay * 2 : LongestRetry;
            }
        }
    }

    /// <summary>Makes a call that returns nothing, repeating it like <see cref="CallAsync{T}"/>.</summary>
    public Task CallAsync(Func<IGrainFactory, Task> call, CancellationToken cancellationToken) =>
        CallAsync(
            async grains =>
            {
                await call(grains);
                return true;
            },
            cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_client is { } client)
        {
            await client.DisposeAsync();
        }

        _reconnecting.Dispose();
    }

    private static bool IsTransient(Exception exception) =>
        exception is GrainCallException or TimeoutException or InconsistentStateException or GridUnreachableException or WebSocketException;

    private async Task ReconnectAsync(GridClient lost, Exception failure, CancellationToken cancellationToken)
    {
        await _reconnecting.WaitAsync(cancellationToken);
        try
        {
            if (_client != lost)
            {
                // Another call has reconnected meanwhile.
                return;
            }

            GridClient next;
            try
            {
                next = await _connect!(cancellationToken);
            }
            catch (GridUnreachableException) when (_failOver)
            {
                // No live silo answers yet; the caller tries again after its delay.
                return;
            }
            catch (GridUnreachableException exception)
            {
                throw new GridUnreachableException(
                    $"lost the silo at {lost.Gateway} ({failure.Message}) and cannot reach it again. To have the client fail over to another silo, give the grid's Redis with --redis HOST:PORT instead of --grid.",
                    exception);
            }

            _client = next;
            await _log.WriteLineAsync(next.Gateway == lost.Gateway
                ? $"grid: the connection to the silo at {lost.Gateway} was lost; reconnected."
                : $"grid: lost the silo at {lost.Gateway}; carrying on through the silo at {next.Gateway}.");
            await lost.DisposeAsync();
        }
        finally
        {
            _reconnecting.Release();
        }
    }
}
