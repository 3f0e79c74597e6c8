namespace GridActors.Grains.Tests;

/// <summary>Counts events raised from mocks' When/Do hooks; tests wait for the count they expect.</summary>
public sealed class Signal
{
    private readonly SemaphoreSlim _raised = new(0);

    public void Raise() => _raised.Release();

    public async Task WaitAsync(int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            Assert.True(await _raised.WaitAsync(Testing.Eventually.Limit), $"event {i + 1} of {times} did not happen");
        }
    }
}
