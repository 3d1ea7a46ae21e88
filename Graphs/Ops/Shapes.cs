using SphereFace.Graphs.Building;

namespace SphereFace.Graphs.Ops;

/// <summary>Shape arithmetic shared by the op rules.</summary>
public static class Shapes
{
    /// <summary>Numpy-style broadcast of two shapes; a dynamic (−1) axis broadcasts with 1 or itself.</summary>
    public static long[] Broadcast(long[] a, long[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            long da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            long db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            result[i] = (da, db) switch
            {
                _ when da == db => da,
                (1, _) => db,
                (_, 1) => da,
                _ => throw new ArgumentException($"shapes [{string.Join(",", a)}] and [{string.Join(",", b)}] do not broadcast"),
            };
        }
        return result;
    }

    /// <summary>Normalises a possibly negative axis for a tensor of rank <paramref name="rank"/>.</summary>
    public static int Axis(long axis, int rank)
    {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new ArgumentException($"axis {axis} is out of range for rank {rank}");
        return (int)a;
    }

    /// <summary>Product of dimensions, −1 when any is dynamic.</summary>
    public static long Product(IEnumerable<long> dims) =>
        dims.Aggregate(1L, (acc, d) => acc < 0 || d < 0 ? -1 : acc * d);

    /// <summary>Throws unless the two types match.</summary>
    public static void SameType(TensorInfo a, TensorInfo b)
    {
        if (a.Type != b.Type) throw new ArgumentException($"element types differ: {a.Type} vs {b.Type}");
    }
}
