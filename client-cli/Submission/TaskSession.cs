using System.Threading.Channels;
using GridActors.Grid;

namespace GridActors.Cli.Submission;

/// <summary>
/// Submits a task and streams its results back. Items go up in batches while results come down in
/// input order; at most <paramref name="window"/> items are submitted ahead of the results read, so
/// the client, the task and the grid hold a bounded number of items however long the input.
/// </summary>
internal sealed class TaskSession(IGrainFactory grains, string taskId, int window = 16_384, int batchSize = 1024)
{
    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _resultsRead = new(0);
    private long _read;

    private ITaskGrain TaskGrain => grains.GetGrain<ITaskGrain>(taskId);

    /// <summary>Runs the task to its end; returns the module error, when the module cannot run at all.</summary>
    public async Task<string?> RunAsync(ModuleSource module, string moduleHash, TaskOptions options, ChannelReader<string> items, Action<IReadOnlyList<JobReport>> onResults, CancellationToken cancellationToken)
    {
        await grains.GetGrain<IModuleGrain>(moduleHash).StoreAsync(module.Name, module.Source);
        await TaskGrain.CreateAsync(new TaskSpec(moduleHash, module.Name, options));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sending = SendAsync(items, stop.Token);
        try
        {
            var moduleError = await ReceiveAsync(onResults, sending, stop.Token);
            return moduleError;
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await sending;
            }
            catch (OperationCanceledException)
            {
                // The results ended first, as they do when the module cannot run.
            }
        }
    }

    private async Task SendAsync(ChannelReader<string> items, CancellationToken cancellationToken)
    {
        var task = TaskGrain;
        long sent = 0;
        var batch = new List<string>(batchSize);
        while (await items.WaitToReadAsync(cancellationToken))
        {
            batch.Clear();
            while (batch.Count < batchSize && items.TryRead(out var item))
            {
                batch.Add(item);
            }

            while (sent + batch.Count - Volatile.Read(ref _read) > window)
            {
                await _resultsRead.WaitAsync(cancellationToken);
            }

            await task.AddItemsAsync(sent, [.. batch], last: false);
            sent += batch.Count;
        }

        await task.AddItemsAsync(sent, [], last: true);
    }

    private async Task<string?> ReceiveAsync(Action<IReadOnlyList<JobReport>> onResults, Task sending, CancellationToken cancellationToken)
    {
        var task = TaskGrain;
        long cursor = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (sending.IsFaulted)
            {
                // Reading the input failed (or the grid refused it): report that, not a hang.
                await sending;
            }

            var page = await task.ReadResultsAsync(cursor, 4096, LongPoll);
            if (page.Results.Count > 0)
            {
                onResults(page.Results);
                cursor = page.NextCursor;
                Volatile.Write(ref _read, cursor);
                if (_resultsRead.CurrentCount == 0)
                {
                    _resultsRead.Release();
                }
            }

            if (page.ModuleError is not null)
            {
                return page.ModuleError;
            }

            if (page.Finished)
            {
                return null;
            }
        }
    }
}
