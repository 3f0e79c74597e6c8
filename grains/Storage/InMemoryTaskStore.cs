using GridActors.Grid;

namespace GridActors.Grains.Storage;

/// <summary>The task store of an embedded grid: everything in this process, gone when it ends.</summary>
internal sealed class InMemoryTaskStore : ITaskStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TaskData> _tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _registered = new(StringComparer.Ordinal);

    public Task AddItemsAsync(string taskId, long firstIndex, IReadOnlyList<string> items)
    {
        lock (_lock)
        {
            var task = Get(taskId);
            for (var i = 0; i < items.Count; i++)
            {
                if (!task.Results.ContainsKey(firstIndex + i))
                {
                    task.Items[firstIndex + i] = items[i];
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<(long Index, string Item)>> ReadItemsAsync(string taskId, long from, int count)
    {
        var found = new List<(long, string)>();
        lock (_lock)
        {
            var task = Get(taskId);
            for (var index = from; index < from + count; index++)
            {
                if (task.Items.TryGetValue(index, out var item))
                {
                    found.Add((index, item));
                }
            }
        }

        return Task.FromResult<IReadOnlyList<(long, string)>>(found);
    }

    public Task<IReadOnlyList<bool>> AddResultsAsync(string taskId, IReadOnlyList<JobReport> reports)
    {
        var stored = new bool[reports.Count];
        lock (_lock)
        {
            var task = Get(taskId);
            for (var i = 0; i < reports.Count; i++)
            {
                var report = reports[i];
                if (report.Index < task.ForgottenBelow || !task.Results.TryAdd(report.Index, report))
                {
                    continue;
                }

                task.Items.Remove(report.Index);
                task.Counts = report.Error is null ? task.Counts with { Done = task.Counts.Done + 1 } : task.Counts with { Failed = task.Counts.Failed + 1 };
                stored[i] = true;
            }
        }

        return Task.FromResult<IReadOnlyList<bool>>(stored);
    }

    public Task<IReadOnlyList<JobReport?>> ReadResultsAsync(string taskId, long from, int count)
    {
        var page = new JobReport?[count];
        lock (_lock)
        {
            var task = Get(taskId);
            for (var i = 0; i < count; i++)
            {
                page[i] = task.Results.GetValueOrDefault(from + i);
            }
        }

        return Task.FromResult<IReadOnlyList<JobReport?>>(page);
    }

    public Task<ResultCounts> CountAsync(string taskId)
    {
        lock (_lock)
        {
            return Task.FromResult(Get(taskId).Counts);
        }
    }

    public Task ForgetAsync(string taskId, long from, long below)
    {
        lock (_lock)
        {
            var task = Get(taskId);
            for (var index = from; index < below; index++)
            {
                task.Results.Remove(index);
                task.Items.Remove(index);
            }

            task.ForgottenBelow = Math.Max(task.ForgottenBelow, below);
        }

        return Task.CompletedTask;
    }

    public Task RegisterAsync(string taskId, DateTimeOffset created)
    {
        lock (_lock)
        {
            _registered.TryAdd(taskId, created);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ListAsync()
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<string>>([.. _registered.OrderBy(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key)]);
        }
    }

    public Task DeleteAsync(string taskId)
    {
        lock (_lock)
        {
            _tasks.Remove(taskId);
            _registered.Remove(taskId);
        }

        return Task.CompletedTask;
    }

    private TaskData Get(string taskId)
    {
        if (!_tasks.TryGetValue(taskId, out var task))
        {
            task = new TaskData();
            _tasks[taskId] = task;
        }

        return task;
    }

    private sealed class TaskData
    {
        public Dictionary<long, string> Items { get; } = [];

        public Dictionary<long, JobReport> Results { get; } = [];

        public ResultCounts Counts { get; set; }

        public long ForgottenBelow { get; set; }
    }
}
