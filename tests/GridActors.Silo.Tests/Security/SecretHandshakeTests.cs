using System.IO.Pipelines;
using GridActors.Silo.Security;

namespace GridActors.Silo.Tests.Security;

public class SecretHandshakeTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    /// <summary>Two ends of a connection in memory.</summary>
    private static (IDuplexPipe Connector, IDuplexPipe Acceptor) Connection()
    {
        var toAcceptor = new Pipe();
        var toConnector = new Pipe();
        return (new Duplex(toConnector.Reader, toAcceptor.Writer), new Duplex(toAcceptor.Reader, toConnector.Writer));
    }

    [Fact]
    public async Task TheSameSecret_IsAccepted_AndTheConnectorLearnsTheGridsClusterId()
    {
        var (connector, acceptor) = Connection();
        var secret = new ClusterSecret("s3cret");

        var accepting = SecretHandshake.AcceptAsync(acceptor, secret, "grid-a", CancellationToken.None);
        var clusterId = await SecretHandshake.ConnectAsync(connector, secret, SecretHandshake.Purpose.Connect, CancellationToken.None).WaitAsync(Limit);

        Assert.Equal(("grid-a", SecretHandshake.Verdict.Accepted), (clusterId, await accepting.WaitAsync(Limit)));
    }

    [Fact]
    public async Task AProbe_IsAnsweredAsAProbe()
    {
        var (connector, acceptor) = Connection();
        var secret = new ClusterSecret("s3cret");

        var accepting = SecretHandshake.AcceptAsync(acceptor, secret, "grid", CancellationToken.None);
        await SecretHandshake.ConnectAsync(connector, secret, SecretHandshake.Purpose.Probe, CancellationToken.None).WaitAsync(Limit);

        Assert.Equal(SecretHandshake.Verdict.Probed, await accepting.WaitAsync(Limit));
    }

    [Fact]
    public async Task AnotherSecret_IsRefused_OnBothSides()
    {
        var (connector, acceptor) = Connection();

        var accepting = SecretHandshake.AcceptAsync(acceptor, new ClusterSecret("s3cret"), "grid", CancellationToken.None);
        var refused = await Assert.ThrowsAsync<ClusterSecretException>(() => SecretHandshake.ConnectAsync(connector, new ClusterSecret("guess"), SecretHandshake.Purpose.Connect, CancellationToken.None).WaitAsync(Limit));

        Assert.Equal(HandshakeFailure.Refused, refused.Failure);
        Assert.Equal(SecretHandshake.Verdict.Refused, await accepting.WaitAsync(Limit));
    }

    [Fact]
    public async Task ASiloWithAnotherSecret_IsFoundOut_ByTheSideThatConnected()
    {
        var (connector, acceptor) = Connection();

        // An impostor silo that accepts any proof: it cannot prove the secret in turn.
        _ = ImpostorAsync(acceptor);
        var failure = await Assert.ThrowsAsync<ClusterSecretException>(() => SecretHandshake.ConnectAsync(connector, new ClusterSecret("s3cret"), SecretHandshake.Purpose.Connect, CancellationToken.None).WaitAsync(Limit));

        Assert.Equal(HandshakeFailure.WrongPeer, failure.Failure);
    }

    [Fact]
    public async Task Garbage_IsNotAPeer()
    {
        var (connector, acceptor) = Connection();

        var accepting = SecretHandshake.AcceptAsync(acceptor, new ClusterSecret("s3cret"), "grid", CancellationToken.None);
        await connector.Output.WriteAsync("GET / HTTP/1.1\r\nHost: silo\r\n\r\n"u8.ToArray());

        Assert.Equal(SecretHandshake.Verdict.NotAPeer, await accepting.WaitAsync(Limit));
    }

    [Fact]
    public async Task AHugeFrame_IsReadNoFurtherThanTheHandshake_AndRefused()
    {
        var (connector, acceptor) = Connection();

        // 64 MiB of a peer's "hello", well-formed up to the purpose byte: the silo reads the handshake's
        // few bytes and its proof, finds the proof wrong, and reads no more.
        var accepting = SecretHandshake.AcceptAsync(acceptor, new ClusterSecret("s3cret"), "grid", CancellationToken.None);
        var writing = Task.Run(async () =>
        {
            await connector.Output.WriteAsync("GRIDACT1"u8.ToArray());
            var chunk = new byte[1 << 20];
            for (var i = 0; i < 64 && !accepting.IsCompleted; i++)
            {
                await connector.Output.WriteAsync(chunk);
            }
        });

        Assert.Equal(SecretHandshake.Verdict.Refused, await accepting.WaitAsync(Limit));
        await connector.Input.CompleteAsync();
        await acceptor.Input.CompleteAsync();
        await writing.WaitAsync(Limit).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task APeerThatCloses_EndsTheHandshakeWithoutHangingIt()
    {
        var (connector, acceptor) = Connection();

        var accepting = SecretHandshake.AcceptAsync(acceptor, new ClusterSecret("s3cret"), "grid", CancellationToken.None);
        await connector.Output.WriteAsync("GRIDACT1"u8.ToArray());
        await connector.Output.CompleteAsync();

        Assert.Equal(SecretHandshake.Verdict.NotAPeer, await accepting.WaitAsync(Limit));
    }

    private static async Task ImpostorAsync(IDuplexPipe transport)
    {
        await transport.Output.WriteAsync((byte[])[.. "GRIDACT1"u8.ToArray(), .. new byte[32], 4, .. "grid"u8.ToArray()]);
        var result = await transport.Input.ReadAtLeastAsync(8 + 1 + 32 + 32);
        transport.Input.AdvanceTo(result.Buffer.End);
        await transport.Output.WriteAsync((byte[])[1, .. new byte[32]]);
    }

    private sealed record Duplex(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
