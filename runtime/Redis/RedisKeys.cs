using System.Globalization;

namespace GridActors.Runtime.Redis;

/// <summary>
/// The key layout of a cluster in Redis (documented in docs/ARCHITECTURE.md). Every key starts with
/// the cluster id; the part in braces is the hash tag, and each Lua script touches keys of one tag
/// only, so the layout works on Redis Cluster and spreads grains across its nodes.
/// </summary>
public sealed class RedisKeys(string clusterId)
{
    /// <summary>Reminders are kept in this many partitions of the ring, each one sorted set by due time.</summary>
    public const int ReminderPartitions = 256;

    /// <summary>The cluster id.</summary>
    public string ClusterId { get; } = clusterId;

    /// <summary>The membership table: one hash.</summary>
    public string Membership => $"{ClusterId}:{{membership}}";

    /// <summary>The pub/sub channel on which each write of a membership row is announced (not a key).</summary>
    public string MembershipChanges => $"{ClusterId}:membership:changed";

    /// <summary>One grain state record: a hash with its data and ETag.</summary>
    public string State(string stateName, GrainId grainId) => $"{ClusterId}:state:{{{grainId}}}:{stateName}";

    /// <summary>Where a grain is activated: a string holding a silo address.</summary>
    public string Directory(GrainId grainId) => $"{ClusterId}:directory:{{{grainId}}}";

    /// <summary>The reminder rows of a partition: a hash of JSON entries.</summary>
    public string ReminderRows(int partition) => $"{ClusterId}:reminders:{{{partition.ToString(CultureInfo.InvariantCulture)}}}:rows";

    /// <summary>The reminders of a partition by due time: a sorted set scored in Unix milliseconds.</summary>
    public string ReminderDue(int partition) => $"{ClusterId}:reminders:{{{partition.ToString(CultureInfo.InvariantCulture)}}}:due";

    /// <summary>The partition of a ring bucket: its top 8 bits, so a range of buckets is a range of partitions.</summary>
    public static int PartitionOf(uint bucket) => (int)(bucket >> 24);
}
