using GridActors.Cli.Submission;
using GridActors.Grid;

namespace GridActors.Cli.Commands;

/// <summary>What every command that talks to a running grid shares: the checks before it connects, the link, and how failures end it.</summary>
internal static class RemoteCommand
{
    /// <summary>Connects to the target's grid, with fail-over when it was found through Redis.</summary>
    public static Task<GridLink> ConnectAsync(GridTarget target, TextWriter stderr, CancellationToken cancellationToken) =>
        GridLink.ConnectAsync(
            target.Grid is { } gateway
                ? (_, token) => GridConnection.ConnectAsync(gateway, target.Secret!, token)
                : (lost, token) => ConnectThroughRedisAsync(target, lost, token),
            failOver: target.Grid is null,
            stderr,
            TimeProvider.System,
            cancellationToken);

    /// <summary>Connects to the first live silo of the grid in Redis that answers, the one just lost last.</summary>
    private static async Task<GridConnection> ConnectThroughRedisAsync(GridTarget target, string? lost, CancellationToken cancellationToken)
    {
        var gateways = await GridConnection.GatewaysAsync(target.Redis!, target.Cluster, target.Secret!);
        GridUnreachableException? last = null;
        foreach (var gateway in gateways.OrderBy(g => string.Equals(g, lost, StringComparison.Ordinal)))
        {
            try
            {
                return await GridConnection.ConnectAsync(gateway, target.Secret!, cancellationToken);
            }
            catch (GridUnreachableException exception)
            {
                last = exception;
            }
        }

        throw last!;
    }

    /// <summary>
    /// Runs <paramref name="body"/> against the grid <paramref name="target"/> names; returns its exit
    /// code, or the code of what stopped it: no grid given (2), the grid unreachable or refusing (3).
    /// </summary>
    public static async Task<int> RunAsync(string command, GridTarget? target, TextWriter stderr, Func<GridLink, Task<int>> body, CancellationToken cancellationToken)
    {
        if (target is null)
        {
            return ExitCodes.Usage;
        }

        if (!target.IsRemote)
        {
            await stderr.WriteLineAsync($"grid: grid {command} talks to a running grid: give --grid HOST:PORT or --redis HOST:PORT, or set \"grid\" or \"redis\" in ~/.gridactors/config.json.");
            return ExitCodes.Usage;
        }

        if (target.Secret is null)
        {
            await stderr.WriteLineAsync($"grid: the grid needs its cluster secret: --secret SECRET or {GridAddress.SecretVariable}.");
            return ExitCodes.Usage;
        }

        return await GuardAsync(
            async () =>
            {
                await using var link = await ConnectAsync(target, stderr, cancellationToken);
                return await body(link);
            },
            $"{target.Describe()} could not answer",
            stderr,
            cancellationToken);
    }

    /// <summary>
    /// Runs a command's work and turns what can stop it into an exit code and one line on stderr: the
    /// grid unreachable or refusing the secret (3), a fault inside the grid (3, after
    /// <paramref name="gridFault"/>), Ctrl+C (130), stdout closed by its reader, as in `| head` (141, silently).
    /// </summary>
    public static async Task<int> GuardAsync(Func<Task<int>> work, string gridFault, TextWriter stderr, CancellationToken cancellationToken)
    {
        try
        {
            return await work();
        }
        catch (Exception exception) when (exception is GridUnreachableException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"grid: {exception.Message}");
            return ExitCodes.Unreachable;
        }
        catch (GridFaultException exception)
        {
            await stderr.WriteLineAsync($"grid: {gridFault}: {exception.Message}");
            return ExitCodes.Unreachable;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("grid: interrupted.");
            return ExitCodes.Interrupted;
        }
        catch (IOException exception) when (exception.Message.Contains("pipe", StringComparison.OrdinalIgnoreCase) || exception.HResult == 32)
        {
            return ExitCodes.BrokenPipe;
        }
    }

    /// <summary>The task's description, or null after telling the user there is no such task.</summary>
    public static async Task<TaskInfo?> FindTaskAsync(GridLink link, string taskId, TextWriter stderr, CancellationToken cancellationToken)
    {
        var info = await link.CallAsync(g => g.GetGrain<ITaskGrain>(taskId).GetInfoAsync(), cancellationToken);
        if (info is null)
        {
            await stderr.WriteLineAsync($"grid: there is no task '{taskId}' on this grid: it was never submitted, or it was deleted. 'grid status' lists the tasks.");
        }

        return info;
    }
}
