using System.Net;
using System.Net.Sockets;

namespace GridActors.Testing;

/// <summary>Free loopback ports for servers the tests start.</summary>
public static class Ports
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The first of <paramref name="count"/> consecutive free ports, for a script that numbers its servers from one port.</summary>
    public static int FreeRange(int count)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var first = Free();
            if (first + count <= IPEndPoint.MaxPort && Enumerable.Range(first + 1, count - 1).All(IsFree))
            {
                return first;
            }
        }

        throw new InvalidOperationException($"No {count} consecutive free ports were found.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
