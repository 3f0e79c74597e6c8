namespace GridActors.Testing;

/// <summary>Waits on events with a generous real-time limit, so a broken test fails rather than hangs.</summary>
public static class Eventually
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>Waits for a task the test expects to complete.</summary>
    public static async Task<T> Within<T>(Task<T> task) => await task.WaitAsync(Limit);

    /// <summary>Waits for a task the test expects to complete.</summary>
    public static async Task Within(Task task) => await task.WaitAsync(Limit);

    /// <summary>
    /// Polls a condition that other threads make true (grain turns run on the thread pool). Each
    /// check yields to them; it never stands in for a clock.
    /// </summary>
    public static async Task True(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Still not true after {Limit.TotalSeconds} s: {what}");
            }

            await Task.Yield();
            Thread.Sleep(1);
        }
    }
}
