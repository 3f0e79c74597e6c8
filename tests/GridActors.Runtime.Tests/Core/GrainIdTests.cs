namespace GridActors.Runtime.Tests.Core;

public class GrainIdTests
{
    [Fact]
    public void StableHash_IsTheSameInEveryProcess()
    {
        // FNV-1a of "job/t1/7" (computed independently): a fixed number, unlike string.GetHashCode, which changes per process.
        Assert.Equal(0xD7440760u, new GrainId("job", "t1/7").StableHash);
        Assert.Equal(new GrainId("job", "t1/7").StableHash, new GrainId("job", "t1/7").StableHash);
        Assert.NotEqual(new GrainId("job", "t1/7").StableHash, new GrainId("job", "t1/8").StableHash);
    }

    [Fact]
    public void StableHash_HandlesKeysLongerThanTheStackBuffer()
    {
        var key = new string('k', 1000);
        Assert.Equal(new GrainId("task", key).StableHash, new GrainId("task", key).StableHash);
        Assert.NotEqual(new GrainId("task", key).StableHash, new GrainId("task", key + "x").StableHash);
    }

    [Fact]
    public void SiloAddress_RoundTripsThroughText()
    {
        var address = new SiloAddress("10.0.0.7", 11111, 1767225600000);
        Assert.Equal("10.0.0.7:11111:1767225600000", address.ToString());
        Assert.Equal(address, SiloAddress.Parse(address.ToString()));
        Assert.Throws<FormatException>(() => SiloAddress.Parse("10.0.0.7:11111"));
    }
}
