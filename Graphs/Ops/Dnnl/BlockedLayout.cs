using SphereFace.Graphs.Building;
using SphereFace.Models.Native;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops.Dnnl;

/// <summary>
/// The blocked activation layouts of the oneDNN kernels as ONNX shapes: logical [N,C,H,W] is stored as
/// [N, C/b, H, W, b] (channel c at block c/b, lane c%b), b = 8 (nChw8c) or 16 (nChw16c) — the graph's
/// <see cref="KernelChoice.Block"/>. A 4-D activation is plain NCHW.
/// </summary>
public static class BlockedLayout
{
    /// <summary>The 5-D shape of a logical [n,c,h,w] activation in blocks of <paramref name="block"/> channels.</summary>
    /// <exception cref="ArgumentException"><paramref name="block"/> is not 8 or 16, or <paramref name="c"/> is not a multiple of it.</exception>
    public static long[] Shape(long n, long c, long h, long w, int block)
    {
        if (!DnnlPlugin.Blocks.Contains(block)) throw new ArgumentException($"block {block} is not one of {string.Join(", ", DnnlPlugin.Blocks)}");
        return c % block == 0 ? [n, c / block, h, w, block]
            : throw new ArgumentException($"{c} channels are not a multiple of {block} (the nChw{block}c layout)");
    }

    /// <summary>Logical [N,C,H,W] of a 4-D (NCHW) or 5-D (nChw8c, nChw16c) activation shape.</summary>
    /// <exception cref="ArgumentException">Neither layout.</exception>
    public static long[] Logical(long[] shape) => shape switch
    {
        [var n, var c, var h, var w] => [n, c, h, w],
        [var n, var cb, var h, var w, var b] when DnnlPlugin.Blocks.Contains((int)b) => [n, cb * b, h, w],
        _ => throw new ArgumentException($"activation [{string.Join(",", shape)}] is neither NCHW nor blocked [N,C/b,H,W,b] with b = 8 or 16"),
    };

    /// <summary>True for a 5-D blocked shape (nChw8c or nChw16c).</summary>
    public static bool IsBlocked(long[] shape) => shape.Length == 5 && DnnlPlugin.Blocks.Contains((int)shape[4]);

    /// <summary>The block of a blocked shape, 0 for NCHW.</summary>
    public static int BlockOf(long[] shape) => IsBlocked(shape) ? (int)shape[4] : 0;

    /// <summary>Blocked → NCHW in standard ops: Transpose to [N,C/b,b,H,W], Reshape to [N,C,H,W].</summary>
    public static string ToPlain(GraphBuilder g, string blocked)
    {
        var logical = Logical(g.Info(blocked).Shape);
        string t = g.Node("Transpose", [blocked], [Attr.Ints("perm", 0, 1, 4, 2, 3)], name: g.FreshName("to_nchw"));
        return g.Node("Reshape", [t, g.ConstInts(0, logical[1], logical[2], logical[3])], name: g.FreshName("to_nchw"));
    }

    /// <summary>Host-side NCHW [n,c,h,w] → blocked copy (<paramref name="c"/> a multiple of <paramref name="block"/>).</summary>
    public static float[] Pack(float[] nchw, long n, long c, long h, long w, int block)
    {
        var packed = new float[nchw.Length];
        long hw = h * w, blocks = c / block;
        for (long a = 0; a < n; a++)
            for (long ch = 0; ch < c; ch++)
            {
                long from = (a * c + ch) * hw, to = ((a * blocks + ch / block) * hw) * block + ch % block;
                for (long p = 0; p < hw; p++) packed[to + p * block] = nchw[from + p];
            }
        return packed;
    }

    /// <summary>Host-side blocked → NCHW [n,c,h,w] copy.</summary>
    public static float[] Unpack(float[] blocked, long n, long c, long h, long w, int block)
    {
        var plain = new float[blocked.Length];
        long hw = h * w, blocks = c / block;
        for (long a = 0; a < n; a++)
            for (long ch = 0; ch < c; ch++)
            {
                long to = (a * c + ch) * hw, from = ((a * blocks + ch / block) * hw) * block + ch % block;
                for (long p = 0; p < hw; p++) plain[to + p] = blocked[from + p * block];
            }
        return plain;
    }
}
