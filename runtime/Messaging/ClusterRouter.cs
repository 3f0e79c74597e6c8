using GridActors.Runtime.Activation;

namespace GridActors.Runtime.Messaging;

/// <summary>
/// Routes grain calls in a cluster of silos. A grain with an activation here runs here. A volunteer
/// lives on the silo its key names. Any other grain lives where the grain directory says; a grain
/// the directory does not know is placed on the silo that calls it first, and an entry that points
/// at a dead silo is taken over. Calls for other silos go over their channels.
/// </summary>
internal sealed class ClusterRouter : IGrainCallInvoker
{
    private const string VolunteerType = "volunteer";
    private readonly MessageCenter _local;
    private readonly Catalog _catalog;
    private readonly IGrainDirectory _directory;
    private readonly IClusterMembership _membership;
    private readonly SiloConnections _connections;
    private readonly SiloAddress _self;
    /// <summary>Remote grain locations remembered, at most: about 20 MB.</summary>
    internal const int LocationCacheCapacity = 100_000;

    private readonly LocationCache _locations = new(LocationCacheCapacity);

    public ClusterRouter(MessageCenter local, Catalog catalog, IGrainDirectory directory, IClusterMembership membership, SiloConnections connections, SiloDetails silo)
    {
        _local = local;
        _catalog = catalog;
        _directory = directory;
        _membership = membership;
        _connections = connections;
        _self = silo.Address;
        catalog.Deactivated += OnDeactivated;
    }

    public async Task<object?> InvokeAsync(GrainId target, GrainMethod method, object?[]? arguments)
    {
        if (_catalog.TryGet(target, out _))
        {
            return await _local.InvokeAsync(target, method, arguments);
        }

        var owner = await LocateAsync(target);
        if (owner == _self)
        {
            return await _local.InvokeAsync(target, method, arguments);
        }

        try
        {
            var channel = await _connections.GetAsync(owner);
            return await channel.CallAsync(target, method, arguments);
        }
        catch (GrainCallException)
        {
            // Forget where the grain was: the next call asks the directory again, and places the
            // grain anew if its owner has died meanwhile.
            _locations.Remove(target, owner);
            throw;
        }
    }

    private async Task<SiloAddress> LocateAsync(GrainId target)
    {
        if (target.Type == VolunteerType)
        {
            return SiloAddress.Parse(target.Key);
        }

        if (_locations.TryGet(target, out var known) && await IsLiveAsync(known))
        {
            return known;
        }

        // Registering takes an empty entry and answers with whoever holds it otherwise: for a new grain
        // (every job is one) that is one round trip to Redis, where a look-up first made two.
        var owner = await _directory.RegisterAsync(target, _self);
        if (owner != _self && !await IsLiveAsync(owner))
        {
            owner = await _directory.RegisterAsync(target, _self, owner);
        }

        _locations.Set(target, owner);
        return owner;
    }

    /// <summary>
    /// Whether a silo may still hold its grains: anything but Dead, or gone from the table. A silo this
    /// silo does not know as Active is looked up afresh first: it may have joined since the last read
    /// of the table, and taking its grains over on a stale view would make a second activation.
    /// </summary>
    private async ValueTask<bool> IsLiveAsync(SiloAddress silo)
    {
        if (silo == _self)
        {
            return true;
        }

        var member = _membership.Members.FirstOrDefault(m => m.Address == silo);
        if (member?.Status != SiloStatus.Active)
        {
            member = (await _membership.RefreshAsync()).FirstOrDefault(m => m.Address == silo);
        }

        return member is not null && member.Status != SiloStatus.Dead;
    }

    private void OnDeactivated(GrainId grainId)
    {
        _locations.Remove(grainId, _self);
        if (grainId.Type != VolunteerType)
        {
            _ = _directory.UnregisterAsync(grainId, _self);
        }
    }
}
