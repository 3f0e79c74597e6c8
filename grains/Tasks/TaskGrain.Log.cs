using Microsoft.Extensions.Logging;

namespace GridActors.Grains.Tasks;

internal sealed partial class TaskGrain
{
    [LoggerMessage(EventId = 510, Level = LogLevel.Debug, Message = "Task {Task} activated again: {Finished} of {Items} items finished; starting the rest again")]
    private static partial void LogResumed(ILogger logger, string task, long finished, long items);

    [LoggerMessage(EventId = 511, Level = LogLevel.Debug, Message = "Task {Task}: job {Index} failed attempt {Attempt} and is retried")]
    private static partial void LogRetried(ILogger logger, string task, long index, int attempt);

    [LoggerMessage(EventId = 512, Level = LogLevel.Debug, Message = "Task {Task}: {Count} jobs reissued, their holder lost")]
    private static partial void LogReissued(ILogger logger, string task, int count);

    [LoggerMessage(EventId = 513, Level = LogLevel.Debug, Message = "Task {Task}: asking {Holder} about its jobs failed: {Reason}")]
    private static partial void LogCheckFailed(ILogger logger, string task, string holder, string reason);

    [LoggerMessage(EventId = 514, Level = LogLevel.Debug, Message = "Task {Task}: queuing {Count} jobs at the scheduler failed; the next lease check reissues them: {Reason}")]
    private static partial void LogEnqueueFailed(ILogger logger, string task, int count, string reason);

    [LoggerMessage(EventId = 515, Level = LogLevel.Debug, Message = "Task {Task}: stopping its jobs failed; they finish on their own and are ignored: {Reason}")]
    private static partial void LogStopFailed(ILogger logger, string task, string reason);

    [LoggerMessage(EventId = 517, Level = LogLevel.Warning, Message = "Task {Task}: registering its reminder failed; the next lease check tries again: {Reason}")]
    private static partial void LogReminderFailed(ILogger logger, string task, string reason);

}
