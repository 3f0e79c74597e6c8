using GridActors.Grid;
using Orleans.Persistence.Redis;
using Orleans.Storage;
using Orleans.Reminders.Redis;
using StackExchange.Redis;

namespace GridActors.Silo.Hosting;

/// <summary>
/// Turns a failure of the grid's storage inside a grain call (Redis away, a timeout, a conflicting
/// write of grain state) into a <see cref="GridUnavailableException"/>: clients know it as a passing
/// fault, wait and call again, as they do when a silo is lost. Other exceptions pass as they are.
/// </summary>
internal sealed class StorageFaultFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception exception) when (IsStorageFault(exception))
        {
            throw new GridUnavailableException($"the grid's storage did not answer ({exception.GetType().Name}: {exception.Message}); the call can be repeated");
        }
    }

    internal static bool IsStorageFault(Exception exception) =>
        exception is RedisException or RedisStorageException or RedisRemindersException or InconsistentStateException or TimeoutException
        || (exception is AggregateException aggregate && aggregate.InnerExceptions.Any(IsStorageFault));
}
