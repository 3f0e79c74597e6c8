using System.Text;

namespace GridActors;

/// <summary>
/// The identity of a grain: its type and its key. The identity is stable across processes and
/// machines, so its hash (<see cref="StableHash"/>) is too; <see cref="string.GetHashCode()"/> is
/// randomised per process and must never decide where a grain lives.
/// </summary>
/// <param name="Type">The grain type, such as "task" or "job".</param>
/// <param name="Key">The key inside that type.</param>
public readonly record struct GrainId(string Type, string Key)
{
    /// <summary>A 32-bit FNV-1a hash of the UTF-8 bytes of "type/key"; the same on every silo.</summary>
    public uint StableHash
    {
        get
        {
            const uint OffsetBasis = 2166136261;
            const uint Prime = 16777619;
            var hash = OffsetBasis;
            hash = Mix(hash, Type);
            hash = (hash ^ '/') * Prime;
            return Mix(hash, Key);

            static uint Mix(uint hash, string text)
            {
                Span<byte> buffer = stackalloc byte[256];
                var bytes = Encoding.UTF8.GetByteCount(text) <= buffer.Length ? buffer : new byte[Encoding.UTF8.GetByteCount(text)];
                var length = Encoding.UTF8.GetBytes(text, bytes);
                foreach (var b in bytes[..length])
                {
                    hash = (hash ^ b) * Prime;
                }

                return hash;
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Type}/{Key}";
}
