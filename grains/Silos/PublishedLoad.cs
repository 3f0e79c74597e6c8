using GridActors.Grid;

namespace GridActors.Grains.Silos;

/// <summary>What a silo publishes about itself beside the membership table, once a second.</summary>
/// <param name="Name">The silo's name.</param>
/// <param name="Gateway">The address clients reach it at, HOST:PORT (its gateway); empty for a silo without one.</param>
/// <param name="Load">Its load.</param>
/// <param name="Time">When it published this.</param>
/// <param name="Http">Its HTTP endpoint as browsers reach it, http(s)://HOST:PORT or the silo's --public-url (the dashboard and the volunteer page); empty for a silo without one.</param>
public sealed record PublishedLoad(string Name, string Gateway, SiloLoad Load, DateTimeOffset Time, string Http = "");
