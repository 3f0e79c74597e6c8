using GridActors.Grains.Scheduling;
using GridActors.Grains.Silos;
using GridActors.Grid;

namespace GridActors.Grains.Tests.Scheduling;

public class PlacementOrderTests
{
    private static SiloAddress Silo(int port) => SiloAddress.FromParsableString($"127.0.0.1:{port}@1");

    private static ClusterMember Member(int port, SiloStatus status = SiloStatus.Active) => new(Silo(port), status, $"s{port}");

    private static PublishedLoad Load(int running, int queued, int capacity, double cpu = 0, double maxCpu = 100) =>
        new("s", "127.0.0.1:1", new SiloLoad(cpu, 0, running, queued, capacity, maxCpu), DateTimeOffset.UnixEpoch);

    private static List<int> Rank((int Port, int Credits)[] volunteers, ClusterMember[] members, Dictionary<int, PublishedLoad> loads) =>
        [.. PlacementOrder.Rank(volunteers, v => Silo(v.Port), v => v.Credits, members.ToDictionary(m => m.SiloAddress), loads.ToDictionary(l => Silo(l.Key), l => l.Value)).Select(v => v.Port)];

    [Fact]
    public void TheLowestLoadSilo_ComesFirst_ThenTheLeastBusyCpu()
    {
        var order = Rank(
            [(1, 4), (2, 4), (3, 4)],
            [Member(1), Member(2), Member(3)],
            new() { [1] = Load(2, 2, 2), [2] = Load(1, 0, 2, cpu: 30), [3] = Load(1, 0, 2, cpu: 10) });

        Assert.Equal([3, 2, 1], order);
    }

    [Fact]
    public void SilosAboveTheirCpuThreshold_NotActive_OrWithoutCredits_GetNothing()
    {
        var order = Rank(
            [(1, 4), (2, 4), (3, 0), (4, 4), (5, 4)],
            [Member(1), Member(2), Member(3), Member(4, SiloStatus.ShuttingDown)],
            new() { [1] = Load(0, 0, 2, cpu: 60, maxCpu: 50), [2] = Load(0, 0, 2), [3] = Load(0, 0, 2), [4] = Load(0, 0, 2), [5] = Load(0, 0, 2) });

        Assert.Equal([2], order);
    }

    [Fact]
    public void ASiloThatPublishedNoLoadYet_IsFilledLast()
    {
        var order = Rank([(1, 4), (2, 4)], [Member(1), Member(2)], new() { [2] = Load(2, 2, 2) });

        Assert.Equal([2, 1], order);
    }
}
