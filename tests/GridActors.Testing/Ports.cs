using System.Net;
using System.Net.Sockets;

namespace GridActors.Testing;

/// <summary>
/// Free loopback ports for servers the tests start. A port is handed out once per test process: the
/// kernel may give a just-closed port to the next bind, so two calls in a row could otherwise name the
/// same port for a silo's gateway and its HTTP endpoint (seen in CI).
/// </summary>
public static class Ports
{
    private static readonly HashSet<int> HandedOut = [];

    public static int Free()
    {
        lock (HandedOut)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Probe();
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }

        throw new InvalidOperationException("No free port was found that this test run has not already handed out.");
    }

    /// <summary>The first of <paramref name="count"/> consecutive free ports, for a script that numbers its servers from one port.</summary>
    public static int FreeRange(int count)
    {
        lock (HandedOut)
        {
            for (var attempt = 0; attempt < 100; attempt++)
            {
                var first = Probe();
                var range = Enumerable.Range(first, count).ToList();
                if (first + count <= IPEndPoint.MaxPort && !range.Any(HandedOut.Contains) && range.Skip(1).All(IsFree))
                {
                    HandedOut.UnionWith(range);
                    return first;
                }
            }
        }

        throw new InvalidOperationException($"No {count} consecutive free ports were found.");
    }

    private static int Probe()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
