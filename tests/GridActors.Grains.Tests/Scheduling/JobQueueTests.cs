using GridActors.Grains.Scheduling;
using GridActors.Grid;

namespace GridActors.Grains.Tests.Scheduling;

public class JobQueueTests
{
    private readonly JobQueue _queue = new();

    private static JobTicket Ticket(string task, long index, int attempt = 1) => new(task, index, attempt, $"{index}", "hash", TimeSpan.FromSeconds(60));

    [Fact]
    public void Jobs_LeaveInInputOrder_RetriesFirst_WhateverOrderTheyArrived()
    {
        _queue.Add(Ticket("t", 3));
        _queue.Add(Ticket("t", 1));
        _queue.Add(Ticket("t", 7, attempt: 2));
        _queue.Add(Ticket("t", 2));

        Assert.Equal([7L, 1, 2, 3], _queue.Take(10).Select(t => t.Index));
        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public void ANewerAttempt_SupersedesTheOlder_WhichIsDropped()
    {
        _queue.Add(Ticket("t", 0));
        _queue.Add(Ticket("t", 0, attempt: 2));

        Assert.True(_queue.Holds("t", new JobAttempt(0, 2)));
        Assert.False(_queue.Holds("t", new JobAttempt(0, 1)));
        Assert.Equal([2], _queue.Take(10).Select(t => t.Attempt));
    }

    [Fact]
    public void Take_StopsAtItsCount_AndLeavesTheRestQueued()
    {
        foreach (var index in Enumerable.Range(0, 5))
        {
            _queue.Add(Ticket("t", index));
        }

        Assert.Equal([0L, 1], _queue.Take(2).Select(t => t.Index));
        Assert.Equal(3, _queue.Count);
        Assert.False(_queue.Holds("t", new JobAttempt(0, 1)));
        Assert.True(_queue.Holds("t", new JobAttempt(2, 1)));
    }

    [Fact]
    public void Drop_ForgetsOneTasksJobs_AndNoOtherTasks()
    {
        _queue.Add(Ticket("a", 0));
        _queue.Add(Ticket("b", 0));
        _queue.Add(Ticket("a", 1));

        _queue.Drop("a");

        Assert.Equal([("b", 0L)], _queue.Take(10).Select(t => (t.TaskId, t.Index)));
    }
}
