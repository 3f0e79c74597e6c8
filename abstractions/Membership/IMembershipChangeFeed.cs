namespace GridActors;

/// <summary>
/// A membership table that tells its readers when a row has changed (a silo joined, turned Active,
/// left, or was declared Dead), so that every silo acts on a death as soon as one silo has written it,
/// not at its own next read of the table. A notice may be lost (a reconnect, a slow reader): readers
/// keep reading the table on their own schedule, and the feed only brings a read forward.
/// IAmAlive writes are not announced; they change no status.
/// </summary>
public interface IMembershipChangeFeed
{
    /// <summary>
    /// Calls <paramref name="changed"/> with the table version each row write produced, on any thread,
    /// in the order of the writes, until the returned handle is disposed. The call must return quickly:
    /// start the read, do not wait for it.
    /// </summary>
    Task<IAsyncDisposable> SubscribeAsync(Action<int> changed);
}
