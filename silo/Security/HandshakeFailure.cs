namespace GridActors.Silo.Security;

/// <summary>Why a connection's secret handshake failed.</summary>
public enum HandshakeFailure
{
    /// <summary>The silo checked this side's proof and refused it: the secrets differ.</summary>
    Refused,

    /// <summary>The other side answered with a proof of another secret: it is not one of the grid's silos.</summary>
    WrongPeer,

    /// <summary>The other side does not speak GridActors' handshake.</summary>
    NotAGridSilo,

    /// <summary>The connection closed, or went silent, before the handshake ended.</summary>
    Closed,
}
