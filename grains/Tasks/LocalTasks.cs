using System.Collections.Concurrent;

namespace GridActors.Grains.Tasks;

/// <summary>
/// The tasks active on this silo, by id, so that membership news reaches them: when a silo dies, each
/// of them looks at once where its jobs are. Only ids are kept here; each task's state stays in its grain.
/// </summary>
internal sealed class LocalTasks
{
    private readonly ConcurrentDictionary<string, byte> _ids = new(StringComparer.Ordinal);

    public void Add(string taskId) => _ids.TryAdd(taskId, 0);

    public void Remove(string taskId) => _ids.TryRemove(taskId, out _);

    public IReadOnlyList<string> Ids => [.. _ids.Keys];
}
