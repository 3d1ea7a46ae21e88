using SphereFace.Graphs.Building;
using SphereFace.Models.Native;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops.Dnnl;

/// <summary>
/// The nChw16c activation layout of the oneDNN kernels as ONNX shapes: logical [N,C,H,W] is stored as
/// [N, C/16, H, W, 16] (channel c at block c/16, lane c%16). A 4-D activation is plain NCHW.
/// </summary>
public static class BlockedLayout
{
    /// <summary>The 5-D shape of a logical [n,c,h,w] activation; <paramref name="c"/> must be a multiple of 16.</summary>
    /// <exception cref="ArgumentException"><paramref name="c"/> is not a multiple of 16.</exception>
    public static long[] Shape(long n, long c, long h, long w) =>
        c % DnnlPlugin.Block == 0 ? [n, c / DnnlPlugin.Block, h, w, DnnlPlugin.Block]
            : throw new ArgumentException($"{c} channels are not a multiple of {DnnlPlugin.Block} (the nChw16c layout)");

    /// <summary>Logical [N,C,H,W] of a 4-D (NCHW) or 5-D (nChw16c) activation shape.</summary>
    /// <exception cref="ArgumentException">Neither layout.</exception>
    public static long[] Logical(long[] shape) => shape switch
    {
        [var n, var c, var h, var w] => [n, c, h, w],
        [var n, var cb, var h, var w, DnnlPlugin.Block] => [n, cb * DnnlPlugin.Block, h, w],
        _ => throw new ArgumentException($"activation [{string.Join(",", shape)}] is neither NCHW nor nChw16c [N,C/16,H,W,16]"),
    };

    /// <summary>True for a 5-D nChw16c shape.</summary>
    public static bool IsBlocked(long[] shape) => shape.Length == 5 && shape[4] == DnnlPlugin.Block;

    /// <summary>nChw16c → NCHW in standard ops: Transpose to [N,C/16,16,H,W], Reshape to [N,C,H,W].</summary>
    public static string ToPlain(GraphBuilder g, string blocked)
    {
        var logical = Logical(g.Info(blocked).Shape);
        string t = g.Node("Transpose", [blocked], [Attr.Ints("perm", 0, 1, 4, 2, 3)], name: g.FreshName("to_nchw"));
        return g.Node("Reshape", [t, g.ConstInts(0, logical[1], logical[2], logical[3])], name: g.FreshName("to_nchw"));
    }

    /// <summary>Host-side NCHW [n,c,h,w] → nChw16c copy (<paramref name="c"/> a multiple of 16).</summary>
    public static float[] Pack(float[] nchw, long n, long c, long h, long w)
    {
        var packed = new float[nchw.Length];
        long hw = h * w, blocks = c / DnnlPlugin.Block;
        for (long a = 0; a < n; a++)
            for (long ch = 0; ch < c; ch++)
            {
                long from = (a * c + ch) * hw, to = ((a * blocks + ch / DnnlPlugin.Block) * hw) * DnnlPlugin.Block + ch % DnnlPlugin.Block;
                for (long p = 0; p < hw; p++) packed[to + p * DnnlPlugin.Block] = nchw[from + p];
            }
        return packed;
    }

    /// <summary>Host-side nChw16c → NCHW [n,c,h,w] copy.</summary>
    public static float[] Unpack(float[] blocked, long n, long c, long h, long w)
    {
        var plain = new float[blocked.Length];
        long hw = h * w, blocks = c / DnnlPlugin.Block;
        for (long a = 0; a < n; a++)
            for (long ch = 0; ch < c; ch++)
            {
                long to = (a * c + ch) * hw, from = ((a * blocks + ch / DnnlPlugin.Block) * hw) * DnnlPlugin.Block + ch % DnnlPlugin.Block;
                for (long p = 0; p < hw; p++) plain[to + p] = blocked[from + p * DnnlPlugin.Block];
            }
        return plain;
    }
}
