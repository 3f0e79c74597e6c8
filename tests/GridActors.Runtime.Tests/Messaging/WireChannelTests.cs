using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using GridActors.Runtime.Messaging;
using GridActors.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GridActors.Runtime.Tests.Messaging;

/// <summary>Grain calls over a real WebSocket on loopback, from a client channel to a silo's grains.</summary>
public sealed class WireChannelTests : IAsyncLifetime
{
    private readonly Probe _probe = new();
    private TestSilo _silo = null!;
    private Exception? _refusal;

    public async Task InitializeAsync() => _silo = await RuntimeFixture.StartAsync(_probe);

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task Call_CrossesTheWire_AndReturnsItsResult()
    {
        await using var link = await ConnectAsync("s3cret", "s3cret");

        Assert.Equal("a:hello", await link.Grains.GetGrain<IProbeGrain>("a").EchoAsync("hello"));
        Assert.Equal(1, await link.Grains.GetGrain<IProbeGrain>("a").IncrementAsync());
    }

    [Fact]
    public async Task ABurstOfCalls_SharingWebSocketMessages_EachGetsItsOwnResult()
    {
        // Queued messages go out together, one per line, up to a size; a larger one goes alone. Texts
        // with line breaks, and ones larger than a batch, must come back whole and to their own call.
        await using var link = await ConnectAsync("s3cret", "s3cret");
        var texts = Enumerable.Range(0, 300)
            .Select(i => i % 50 == 7 ? new string('x', WireChannel.MaxBatchBytes + i) : $"line {i}\nnext\r\n{i}")
            .ToArray();

        var results = await Eventually.Within(Task.WhenAll(texts.Select((text, i) => link.Grains.GetGrain<IProbeGrain>($"g{i % 7}").EchoAsync(text))));

        Assert.Equal(texts.Select((text, i) => $"g{i % 7}:{text}"), results);
    }

    [Fact]
    public async Task GrainException_CrossesTheWire_WithItsTypeAndMessage()
    {
        await using var link = await ConnectAsync("s3cret", "s3cret");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => link.Grains.GetGrain<IProbeGrain>("a").FailAsync("no"));
        Assert.Equal("no", error.Message);
    }

    [Fact]
    public async Task OneWayCall_IsDelivered()
    {
        await using var link = await ConnectAsync("s3cret", "s3cret");

        await link.Grains.GetGrain<IProbeGrain>("a").NoteAsync("over the wire");

        Assert.Equal("over the wire", await Eventually.Within(_probe.Noted.Task));
    }

    [Fact]
    public async Task WrongSecret_IsRefused_WithTheMessageAUserSees()
    {
        var error = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => ConnectAsync("s3cret", "guess"));

        Assert.Equal("A peer was refused: it did not prove the cluster secret.", _refusal?.Message);
        Assert.Equal("The grid refused the cluster secret. Give the grid's secret with --secret or GRIDACTORS_SECRET.", error.Message);
    }

    [Fact]
    public async Task LostConnection_FailsTheCallsStillWaiting()
    {
        var link = await ConnectAsync("s3cret", "s3cret");
        var hanging = link.Grains.GetGrain<IProbeGrain>("a").HangAsync();
        // PeekAsync interleaves with the hanging turn; its answer shows the silo has the hanging call.
        await link.Grains.GetGrain<IProbeGrain>("a").PeekAsync();

        await link.Server.DisposeAsync();

        var error = await Assert.ThrowsAsync<GrainCallException>(() => Eventually.Within(hanging));
        Assert.Equal("The connection closed before IProbeGrain.HangAsync answered.", error.Message);
        await link.DisposeAsync();
    }

    private async Task<Link> ConnectAsync(string siloSecret, string clientSecret)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var server = await listener.AcceptTcpClientAsync();
        var codec = _silo.Services.GetRequiredService<GrainCallCodec>();
        var calls = _silo.Services.GetRequiredService<IncomingCalls>();
        var serverSocket = WebSocket.CreateFromStream(server.GetStream(), new WebSocketCreationOptions { IsServer = true });
        var clientSocket = WebSocket.CreateFromStream(client.GetStream(), new WebSocketCreationOptions { IsServer = false });

        var accepting = WireChannel.AcceptAsync(serverSocket, new ClusterSecret(siloSecret), codec, calls.HandleAsync, CancellationToken.None);
        var connecting = WireChannel.ConnectAsync(clientSocket, new ClusterSecret(clientSecret), codec, _ => Task.FromResult<WireMessage?>(null), CancellationToken.None);
        try
        {
            var channel = await connecting;
            var registry = _silo.Services.GetRequiredService<GrainTypeRegistry>();
            return new Link(await accepting, channel, new GrainFactory(registry, new RemoteGrainCallInvoker(channel)));
        }
        finally
        {
            await Task.WhenAny(accepting);
            _refusal = accepting.Exception?.InnerException;
        }
    }

    private sealed record Link(WireChannel Server, WireChannel Client, IGrainFactory Grains) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await Server.DisposeAsync();
        }
    }
}
