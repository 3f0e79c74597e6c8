using GridActors.Grid;
using StackExchange.Redis;

namespace GridActors.Cli.Submission;

/// <summary>
/// The client's way to the grid, and back to it when a call fails on the way. A call that was not
/// delivered, or not answered, is repeated: every call a client makes is safe to repeat (items go by
/// index, results are read from a cursor). When the gateway silo itself is lost, a link made with
/// --redis connects to another live silo from Orleans' membership table and carries on; one made with
/// --grid has nowhere else to go and says so.
/// </summary>
internal sealed class GridLink : IAsyncDisposable
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(1);
    private readonly Func<string?, CancellationToken, Task<GridConnection>>? _connect;
    private readonly bool _failOver;
    private readonly TextWriter _log;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _reconnecting = new(1, 1);
    private readonly IGrainFactory? _inProcess;
    private GridConnection? _connection;

    private GridLink(IGrainFactory? inProcess, GridConnection? connection, Func<string?, CancellationToken, Task<GridConnection>>? connect, bool failOver, TextWriter log, TimeProvider time)
    {
        _inProcess = inProcess;
        _connection = connection;
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
    /// <param name="connect">Makes a connection to a gateway; it is given the gateway just lost, if any, to avoid.</param>
    /// <param name="failOver">Whether a new connection may reach another silo (--redis); without it only the same one (--grid).</param>
    /// <param name="log">Where the client tells its user about a lost gateway.</param>
    /// <param name="time">The clock for retries and timeouts.</param>
    /// <param name="cancellationToken">Cancels the connection.</param>
    public static async Task<GridLink> ConnectAsync(Func<string?, CancellationToken, Task<GridConnection>> connect, bool failOver, TextWriter log, TimeProvider time, CancellationToken cancellationToken)
    {
        var connection = await connect(null, cancellationToken);
        return new GridLink(null, connection, connect, failOver, log, time);
    }

    /// <summary>Makes a call, repeating it until it gets through or the grid is given up.</summary>
    /// <exception cref="GridFaultException">The grid took the call and failed it: repeating it would not help.</exception>
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
            var connection = _connection!;
            try
            {
                var calling = call(connection.Client);
                if (await Task.WhenAny(calling, connection.Lost).WaitAsync(CallTimeout, _time, cancellationToken) != calling)
                {
                    // The gateway went with the call on its way: the call is given up now, not when Orleans' client times it out.
                    _ = calling.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                    throw new GridUnreachableException($"the connection to the silo at {connection.Gateway} closed");
                }

                return await calling;
            }
            catch (Exception exception) when (IsTransient(exception) && !cancellationToken.IsCancellationRequested)
            {
                failingSince ??= _time.GetUtcNow();
                if (_time.GetUtcNow() - failingSince > GiveUpAfter)
                {
                    throw new GridUnreachableException($"lost the grid: calls have failed for {GiveUpAfter.TotalSeconds:0} s, the last with: {exception.Message}", exception);
                }

                if (!await connection.IsReachableAsync(cancellationToken))
                {
                    await ReconnectAsync(connection, exception, cancellationToken);
                }

                await Task.Delay(delay, _time, cancellationToken);
                delay = delay * 2 < LongestRetry ? delay * 2 : LongestRetry;
            }
            catch (Exception exception) when (IsGridFault(exception))
            {
                throw new GridFaultException(exception.Message, exception);
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
        if (_connection is { } connection)
        {
            await connection.DisposeAsync();
        }

        _reconnecting.Dispose();
    }

    /// <summary>
    /// A failure that says nothing of the call itself: the gateway or a silo behind it was lost, the
    /// call timed out, or the grid's storage was away for a moment. The call may be repeated.
    /// </summary>
    internal static bool IsTransient(Exception exception) => exception switch
    {
        TimeoutException or GridUnavailableException or GridUnreachableException or RedisException => true,
        OrleansConfigurationException => false,
        OrleansException => true,
        _ => exception.GetType().Namespace?.Contains("Redis", StringComparison.Ordinal) == true,
    };

    /// <summary>A grain took the call and threw: the grid cannot do what was asked (a task that cannot take items any more, say).</summary>
    private static bool IsGridFault(Exception exception) =>
        exception is not (OperationCanceledException or UnauthorizedAccessException or GridUnreachableException or OutOfMemoryException);

    private async Task ReconnectAsync(GridConnection lost, Exception failure, CancellationToken cancellationToken)
    {
        await _reconnecting.WaitAsync(cancellationToken);
        try
        {
            if (_connection != lost)
            {
                // Another call has reconnected meanwhile.
                return;
            }

            GridConnection next;
            try
            {
                next = await _connect!(lost.Gateway, cancellationToken);
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

            _connection = next;
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

/// <summary>The grid took a call and failed it; the message says why.</summary>
internal sealed class GridFaultException(string message, Exception innerException) : Exception(message, innerException);
