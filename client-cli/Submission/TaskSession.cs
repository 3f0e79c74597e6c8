using System.Threading.Channels;
using GridActors.Grid;

namespace GridActors.Cli.Submission;

/// <summary>
/// Submits a task and streams its results back. Items go up in batches while results come down in
/// input order; at most <paramref name="window"/> items are submitted ahead of the results read, so
/// the client, the task and the grid hold a bounded number of items however long the input. Every
/// call goes through the <see cref="GridLink"/>, which repeats it after a failure: a batch by its
/// first index, a read from its cursor, so nothing is added or printed twice.
/// </summary>
internal sealed class TaskSession(GridLink link, string taskId, int window = 16_384, int batchSize = 1024)
{
    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _resultsRead = new(0);
    private long _read;

    /// <summary>Runs the task to its end; returns the module error, when the module cannot run at all.</summary>
    public async Task<string?> RunAsync(ModuleSource module, string moduleHash, TaskOptions options, ChannelReader<string> items, Action<IReadOnlyList<JobReport>> onResults, CancellationToken cancellationToken)
    {
        await link.CallAsync(g => g.GetGrain<IModuleGrain>(moduleHash).StoreAsync(module.Name, module.Source), cancellationToken);
        await link.CallAsync(g => Task(g).CreateAsync(new TaskSpec(moduleHash, module.Name, options)), cancellationToken);
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

    /// <summary>Stores the module, creates the task and sends every item, then returns: the task runs on in the grid.</summary>
    public async Task SubmitAsync(ModuleSource module, string moduleHash, TaskOptions options, ChannelReader<string> items, CancellationToken cancellationToken)
    {
        await link.CallAsync(g => g.GetGrain<IModuleGrain>(moduleHash).StoreAsync(module.Name, module.Source), cancellationToken);
        await link.CallAsync(g => Task(g).CreateAsync(new TaskSpec(moduleHash, module.Name, options)), cancellationToken);
        await SendAsync(items, cancellationToken);
    }

    /// <summary>Removes the task and what the grid stored for it.</summary>
    public Task DeleteAsync(CancellationToken cancellationToken) => link.CallAsync(g => Task(g).DeleteAsync(), cancellationToken);

    private async Task SendAsync(ChannelReader<string> items, CancellationToken cancellationToken)
    {
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

            IReadOnlyList<string> batchItems = [.. batch];
            var first = sent;
            await link.CallAsync(g => Task(g).AddItemsAsync(first, batchItems, last: false), cancellationToken);
            sent += batch.Count;
        }

        var end = sent;
        await link.CallAsync(g => Task(g).AddItemsAsync(end, [], last: true), cancellationToken);
    }

    private async Task<string?> ReceiveAsync(Action<IReadOnlyList<JobReport>> onResults, Task sending, CancellationToken cancellationToken)
    {
        long cursor = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (sending.IsFaulted)
            {
                // Reading the input failed (or the grid refused it): report that, not a hang.
                await sending;
            }

            var from = cursor;
            var page = await link.CallAsync(g => Task(g).ReadResultsAsync(from, 4096, LongPoll), cancellationToken);
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

    private ITaskGrain Task(IGrainFactory grains) => grains.GetGrain<ITaskGrain>(taskId);
}
