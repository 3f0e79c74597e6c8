using System.Security.Cryptography;
using GridActors.Grains.Storage;
using GridActors.Grid;
using Microsoft.Extensions.Logging;

namespace GridActors.Grains.Browsers;

/// <summary>
/// The grid's invitation keys, kept in the grid's storage (Redis in a grid) so every silo checks the
/// same keys and they outlive the silos. A key is 128 random bits, written base64url: it cannot be
/// guessed, and it gives a browser only what its kind allows. Its first letter says its kind.
/// </summary>
internal sealed partial class InvitationsGrain(
    [PersistentState("invitations", GridStorage.Name)] IPersistentState<InvitationsState> state,
    IClusterMembershipService membership,
    TimeProvider time,
    ILogger<InvitationsGrain> logger) : Grain, IInvitationsGrain
{
    public async Task<Invitation> CreateAsync(InvitationKind kind, string label)
    {
        var invitation = new Invitation(NewKey(kind), kind, label.Trim(), time.GetUtcNow());
        state.State.Invitations.Add(invitation);
        await state.WriteStateAsync();
        return invitation;
    }

    public Task<IReadOnlyList<Invitation>> ListAsync() => Task.FromResult<IReadOnlyList<Invitation>>([.. state.State.Invitations]);

    public Task<Invitation?> FindAsync(string key) =>
        Task.FromResult(state.State.Invitations.FirstOrDefault(i => CryptographicOperations.FixedTimeEquals(Bytes(i.Key), Bytes(key))));

    public async Task<int> RevokeAsync(string key)
    {
        if (state.State.Invitations.RemoveAll(i => string.Equals(i.Key, key, StringComparison.Ordinal)) == 0)
        {
            return -1;
        }

        await state.WriteStateAsync();

        // Every live silo drops the browsers it holds with this key; a silo that does not answer is
        // dying, and its browsers with it.
        var silos = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress.ToParsableString());
        var dropped = await Task.WhenAll(silos.Select(async silo =>
        {
            try
            {
                return await GrainFactory.GetGrain<IBrowsersGrain>(silo).DropAsync(key).WaitAsync(TimeSpan.FromSeconds(5), time);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LogDropFailed(logger, silo, exception.Message);
                return 0;
            }
        }));
        return dropped.Sum();
    }

    /// <summary>"v" (volunteer) or "d" (dashboard), then 128 random bits in base64url: never starts with '-', so it reads as a value on a command line.</summary>
    private static string NewKey(InvitationKind kind) =>
        (kind == InvitationKind.Volunteer ? "v" : "d") + Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    [LoggerMessage(EventId = 540, Level = LogLevel.Warning, Message = "Silo {Silo} did not drop the browsers of a revoked key: {Reason}")]
    private static partial void LogDropFailed(ILogger logger, string silo, string reason);
}

/// <summary>The stored form of the grid's invitations.</summary>
[GenerateSerializer, Alias("grid.invitations-state")]
internal sealed class InvitationsState
{
    [Id(0)]
    public List<Invitation> Invitations { get; set; } = [];
}
