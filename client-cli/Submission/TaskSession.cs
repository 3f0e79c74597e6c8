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
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sending = SendAsync(new TaskSpec(moduleHash, module.Name, options), items, created, stop.Token);
        try
        {
            // Results are read once the task exists: its first batch of items creates it.
            await System.Threading.Tasks.Task.WhenAny(created.Task, sending);
            if (sending.IsFaulted || sending.IsCanceled)
            {
                await sending;
            }

            return await ReceiveAsync(onResults, sending, stop.Token);
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
        await SendAsync(new TaskSpec(moduleHash, module.Name, options), items, new TaskCompletionSource(), cancellationToken);
    }

    /// <summary>Removes the task and what the grid stored for it.</summary>
    public Task DeleteAsync(CancellationToken cancellationToken) => link.CallAsync(g => Task(g).DeleteAsync(), cancellationToken);

    /// <summary>
    /// Sends the items in batches: the first creates the task with its spec (one call, not two), and
    /// input that has ended goes with its last batch. <paramref name="created"/> is set once the task exists.
    /// </summary>
    private async Task SendAsync(TaskSpec spec, ChannelReader<string> items, TaskCompletionSource created, CancellationToken cancellationToken)
    {
        long sent = 0;
        var batch = new List<string>(batchSize);
        var last = false;
        do
        {
            // The first batch goes as soon as there is one, or the input ends empty.
            var more = await items.WaitToReadAsync(cancellationToken);
            batch.Clear();
            while (more && batch.Count < batchSize && items.TryRead(out var item))
            {
                batch.Add(item);
            }

            while (sent + batch.Count - Volatile.Read(ref _read) > window)
            {
                await _resultsRead.WaitAsync(cancellationToken);
            }

            last = !more || items.Completion.IsCompletedSuccessfully;
            IReadOnlyList<string> batchItems = [.. batch];
            var first = sent;
            var end = last;
            if (first == 0 && !created.Task.IsCompleted)
            {
                await link.CallAsync(g => Task(g).SubmitAsync(spec, batchItems, end), cancellationToken);
                created.TrySetResult();
            }
            else
            {
                await link.CallAsync(g => Task(g).AddItemsAsync(first, batchItems, end), cancellationToken);
            }

            sent += batch.Count;
        }
        while (!last);
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
