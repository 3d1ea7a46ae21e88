using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Conv, 2-D, NCHW, group 1: inputs X [N,C,H,W], W [M,C,kh,kw], optional B [M].</summary>
public sealed class Conv : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "Conv";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var x = inputs[0].Shape;
        var w = inputs[1].Shape;
        if (x.Length != 4 || w.Length != 4) throw new ArgumentException("Conv expects 4-D input and weight");
        if (x[1] != w[1]) throw new ArgumentException($"input has {x[1]} channels, weight expects {w[1]}");
        if (node.GetInt("group", 1) != 1) throw new ArgumentException("only group = 1 is supported");
        if (inputs.Count > 2 && inputs[2] is { } b && (b.Rank != 1 || b.Shape[0] != w[0]))
            throw new ArgumentException($"bias must be [{w[0]}]");
        var (stride, pads, dilation) = Geometry(node);
        long Out(long size, int axis) => size < 0 ? -1
            : (size + pads[axis] + pads[axis + 2] - dilation[axis] * (w[axis + 2] - 1) - 1) / stride[axis] + 1;
        return [new TensorInfo(inputs[0].Type, [x[0], w[0], Out(x[2], 0), Out(x[3], 1)])];
    }

    /// <summary>Strides, pads (top, left, bottom, right) and dilations of a Conv node, with ONNX defaults.</summary>
    public static (long[] Stride, long[] Pads, long[] Dilation) Geometry(NodeProto node) =>
        (node.GetInts("strides") ?? [1, 1], node.GetInts("pads") ?? [0, 0, 0, 0], node.GetInts("dilations") ?? [1, 1]);

    /// <summary>
    /// Gradients of Y = conv(X, W) + B. dB = Σ dY over batch and space. dX: a stride-1 Conv of dY with the
    /// spatially flipped, in/out-transposed weights (formulations: <see cref="GradientContext.ConvGradients"/>).
    /// dW: one Conv with batch and channel axes swapped (X viewed as [C,N,H,W] images, dY as [M,N,h,w]
    /// filters dilated by the stride), i.e. a single large GEMM per input channel without im2col of dY.
    /// Rows/columns the forward conv never reads (when (H + pads − k) is not a multiple of the stride and
    /// exceeds the end pad) are cropped first and get a zero gradient.
    /// </summary>
    public string?[] Gradient(GradientContext ctx)
    {
        var g = ctx.Graph;
        var (stride, pads, dilation) = Geometry(ctx.Node);
        if (dilation.Any(d => d != 1)) throw new NotSupportedException($"Conv '{ctx.Node.Name}': no gradient for dilated convs.");
        var xs = ctx.InputInfo(0).Shape;
        var ws = ctx.InputInfo(1).Shape;
        var ys = ctx.OutputInfo(0).Shape;
        if (xs.Any(d => d < 0)) throw new NotSupportedException($"Conv '{ctx.Node.Name}': gradients need a static input shape, got {ctx.InputInfo(0)}.");
        string dy = ctx.Dy;
        var result = ctx.None();
        if (ctx.Needs(2)) result[2] = ctx.Emit("ReduceSum", [dy, g.ConstInts(0, 2, 3)], Attr.Int("keepdims", 0));
        if (!ctx.Needs(0) && !ctx.Needs(1)) return result;

        // Rows/columns past the last window (beyond what the end pad absorbs) are never read: crop them.
        var crop = new long[2];
        for (int a = 0; a < 2; a++)
        {
            long extra = (xs[a + 2] + pads[a] + pads[a + 2] - ws[a + 2]) % stride[a];
            crop[a] = Math.Max(0, extra - pads[a + 2]);
        }
        long hc = xs[2] - crop[0], wc = xs[3] - crop[1];
        // End pads that make a window-exact conv on the cropped input: the forward conv reads exactly rows [−pt, hc + pb').
        long[] endPads = [hc + pads[0] - (stride[0] * (ys[2] - 1) + ws[2]), wc + pads[1] - (stride[1] * (ys[3] - 1) + ws[3])];
        endPads = [-endPads[0], -endPads[1]];

        if (ctx.Needs(1))
        {
            string x = ctx.Input(0);
            if (crop[0] > 0 || crop[1] > 0)
                x = ctx.Emit("Slice", [x, g.ConstInts(0, 0), g.ConstInts(hc, wc), g.ConstInts(2, 3)]);
            string xT = ctx.Emit("Transpose", [x], Attr.Ints("perm", 1, 0, 2, 3));
            string dyT = ctx.Emit("Transpose", [dy], Attr.Ints("perm", 1, 0, 2, 3));
            result[1] = ctx.ConvGradients.Weight switch
            {
                WeightGradient.Im2ColGemm => Im2ColWeightGradient(ctx, xT, dyT, stride, pads, endPads, ws, ys, perTap: false),
                WeightGradient.TapGemms => Im2ColWeightGradient(ctx, xT, dyT, stride, pads, endPads, ws, ys, perTap: true),
                _ => SwappedConvWeightGradient(ctx, xT, dyT, stride, pads, endPads, ys),
            };
        }
        if (ctx.Needs(0))
        {
            string dx = InputGradient(ctx, dy, stride, pads, ws, ys, hc, wc, endPads);
            if (crop[0] > 0) dx = ctx.Emit("Concat", [dx, Zeros(ctx, xs[0], xs[1], crop[0], wc)], Attr.Int("axis", 2));
            if (crop[1] > 0) dx = ctx.Emit("Concat", [dx, Zeros(ctx, xs[0], xs[1], xs[2], crop[1])], Attr.Int("axis", 3));
            result[0] = dx;
        }
        return result;
    }

    private static string InputGradient(GradientContext ctx, string dy, long[] stride, long[] pads, long[] ws, long[] ys, long hc, long wc, long[] endPads)
    {
        var g = ctx.Graph;
        long kh = ws[2], kw = ws[3];
        bool strided = stride[0] != 1 || stride[1] != 1;
        var options = ctx.ConvGradients;
        // Conv of the (zero-inserted) dY with the flipped kernel: begin pads k−1−p, end pads so the output is hc×wc.
        long[] begin = [kh - 1 - pads[0], kw - 1 - pads[1]];
        long[] end = [kh - 1 - endPads[0] - (strided ? stride[0] - 1 : 0), kw - 1 - endPads[1] - (strided ? stride[1] - 1 : 0)];
        bool convFits = begin.All(p => p >= 0) && end.All(p => p >= 0);
        if (strided && options.StridedInput == StridedInputGradient.Polyphase
            && Polyphase(ctx, dy, stride, pads, ws, ys, hc, wc) is { } polyphase)
            return polyphase;
        if (!convFits || (strided && options.StridedInput != StridedInputGradient.ZeroInsertion)
            || (!strided && options.UnstridedInputViaConvTranspose))
        {
            long[] outputPadding = [hc + pads[0] + endPads[0] - (stride[0] * (ys[2] - 1) + kh), wc + pads[1] + endPads[1] - (stride[1] * (ys[3] - 1) + kw)];
            return ctx.Emit("ConvTranspose", [dy, ctx.Input(1)],
                Attr.Ints("strides", stride[0], stride[1]), Attr.Ints("pads", pads[0], pads[1], endPads[0], endPads[1]),
                Attr.Ints("output_padding", outputPadding[0], outputPadding[1]));
        }
        string source = strided ? InsertZeros(ctx, dy, ys, stride) : dy;
        // Flip both spatial axes = reverse the flattened kh·kw window; swap in/out channels.
        long m = ws[0], c = ws[1];
        string wT = ctx.Emit("Transpose", [ctx.Input(1)], Attr.Ints("perm", 1, 0, 2, 3));
        string flat = ctx.Emit("Reshape", [wT, g.ConstInts(c, m, kh * kw)]);
        string reversed = ctx.Emit("Gather", [flat, g.ConstInts(Enumerable.Range(0, (int)(kh * kw)).Reverse().Select(i => (long)i).ToArray())], Attr.Int("axis", 2));
        string flipped = ctx.Emit("Reshape", [reversed, g.ConstInts(c, m, kh, kw)]);
        return ctx.Emit("Conv", [source, flipped], Attr.Ints("kernel_shape", kh, kw), Attr.Ints("pads", begin[0], begin[1], end[0], end[1]));
    }

    /// <summary>
    /// Strided input gradient by output phase: dX[s·r + a] = Σ_u dY[r + u]·W[a + p − s·u], so one stride-1 Conv
    /// of dY with a [s²·C, M, T, T] kernel (every phase's taps, zero where a tap falls outside W) gives all s²
    /// phases as channels, and DepthToSpace interleaves them. Costs (s·T/k)² of the forward conv (16/9 for
    /// k = 3, s = 2) instead of s² for zero insertion. Null when the geometry does not fit (the caller falls back).
    /// </summary>
    private static string? Polyphase(GradientContext ctx, string dy, long[] stride, long[] pads, long[] ws, long[] ys, long hc, long wc)
    {
        if (stride[0] != stride[1]) return null;
        var g = ctx.Graph;
        long s = stride[0], m = ws[0], c = ws[1];
        long[] k = [ws[2], ws[3]], lo = new long[2], taps = new long[2], begin = new long[2], end = new long[2], rows = new long[2];
        long[] size = [hc, wc];
        for (int a = 0; a < 2; a++)
        {
            lo[a] = -FloorDiv(-(pads[a] - k[a] + 1), s);
            long hi = FloorDiv(s - 1 + pads[a], s);
            taps[a] = hi - lo[a] + 1;
            begin[a] = -lo[a];
            rows[a] = (size[a] + s - 1) / s;
            end[a] = rows[a] - ys[a + 2] - begin[a] + taps[a] - 1;
            if (begin[a] < 0 || end[a] < 0) return null;
        }
        long zeroSlot = k[0] * k[1];
        var index = new long[s * s * taps[0] * taps[1]];
        int n = 0;
        for (long ah = 0; ah < s; ah++)
        for (long aw = 0; aw < s; aw++)
        for (long th = 0; th < taps[0]; th++)
        for (long tw = 0; tw < taps[1]; tw++)
        {
            long ih = ah + pads[0] - s * (th + lo[0]), iw = aw + pads[1] - s * (tw + lo[1]);
            index[n++] = ih >= 0 && ih < k[0] && iw >= 0 && iw < k[1] ? ih * k[1] + iw : zeroSlot;
        }
        string wT = ctx.Emit("Transpose", [ctx.Input(1)], Attr.Ints("perm", 1, 0, 2, 3));
        string flat = ctx.Emit("Reshape", [wT, g.ConstInts(c, m, zeroSlot)]);
        string padded = ctx.Emit("Concat", [flat, Zeros(ctx, c, m, 1)], Attr.Int("axis", 2));
        string indices = g.AddInitializer(g.FreshName($"grad/{ctx.Node.Name}/phase_taps"), index, [s, s, taps[0], taps[1]]);
        string gathered = ctx.Emit("Gather", [padded, indices], Attr.Int("axis", 2));
        string phases = ctx.Emit("Transpose", [gathered], Attr.Ints("perm", 2, 3, 0, 1, 4, 5));
        string kernel = ctx.Emit("Reshape", [phases, g.ConstInts(s * s * c, m, taps[0], taps[1])]);
        string conv = ctx.Emit("Conv", [dy, kernel], Attr.Ints("kernel_shape", taps[0], taps[1]), Attr.Ints("pads", begin[0], begin[1], end[0], end[1]));
        string dx = ctx.Emit("DepthToSpace", [conv], Attr.Int("blocksize", s), Attr.String("mode", "DCR"));
        if (rows[0] * s != hc || rows[1] * s != wc)
            dx = ctx.Emit("Slice", [dx, g.ConstInts(0, 0), g.ConstInts(hc, wc), g.ConstInts(2, 3)]);
        return dx;
    }

    /// <summary>dW as one Conv of X viewed as [C,N,H,W] with dY viewed as [M,N,h,w] filters dilated by the stride → [C,M,k,k], transposed.</summary>
    private static string SwappedConvWeightGradient(GradientContext ctx, string xT, string dyT, long[] stride, long[] pads, long[] endPads, long[] ys)
    {
        string dwT = ctx.Emit("Conv", [xT, dyT],
            Attr.Ints("kernel_shape", ys[2], ys[3]), Attr.Ints("dilations", stride[0], stride[1]),
            Attr.Ints("pads", pads[0], pads[1], endPads[0], endPads[1]));
        return ctx.Emit("Transpose", [dwT], Attr.Ints("perm", 1, 0, 2, 3));
    }

    /// <summary>dW = dY[M, N·h·w] · cols[C·k², N·h·w]ᵀ with cols gathered from the padded, channel-major input by k² strided slices.</summary>
    private static string Im2ColWeightGradient(GradientContext ctx, string xT, string dyT, long[] stride, long[] pads, long[] endPads, long[] ws, long[] ys, bool perTap)
    {
        var g = ctx.Graph;
        long m = ws[0], c = ws[1], kh = ws[2], kw = ws[3], n = ys[0], h = ys[2], w = ys[3];
        var taps = Im2ColTaps(g, ctx.Emit, xT, pads, endPads, stride, kh, kw, h, w);
        string dyMat = ctx.Emit("Reshape", [dyT, g.ConstInts(m, n * h * w)]);
        if (perTap)
        {
            var perTapGrads = taps.Select(t => ctx.Emit("Reshape",
                [ctx.Emit("Gemm", [dyMat, ctx.Emit("Reshape", [t, g.ConstInts(c, n * h * w)])], Attr.Int("transB", 1)), g.ConstInts(m, c, 1)])).ToList();
            return ctx.Emit("Reshape", [ctx.Emit("Concat", perTapGrads, Attr.Int("axis", 2)), g.ConstInts(m, c, kh, kw)]);
        }
        string cols = Im2Col(g, ctx.Emit, taps, c, kh, kw, n, h, w);
        string dw = ctx.Emit("Gemm", [dyMat, cols], Attr.Int("transB", 1));
        return ctx.Emit("Reshape", [dw, g.ConstInts(m, c, kh, kw)]);
    }

    /// <summary>
    /// The k² strided windows of a channel-major input <paramref name="xT"/> [C,N,H,W] that a conv with these pads
    /// (begin <paramref name="pads"/>[0..1], end <paramref name="endPads"/>) and <paramref name="stride"/> reads, each
    /// [C,N,<paramref name="h"/>,<paramref name="w"/>], in row-major kernel order. <paramref name="emit"/> adds a node.
    /// </summary>
    public static List<string> Im2ColTaps(GraphBuilder g, Func<string, IReadOnlyList<string>, AttributeProto[], string> emit,
        string xT, long[] pads, long[] endPads, long[] stride, long kh, long kw, long h, long w)
    {
        string padded = pads[0] == 0 && pads[1] == 0 && endPads[0] == 0 && endPads[1] == 0 ? xT
            : emit("Pad", [xT, g.ConstInts(0, 0, pads[0], pads[1], 0, 0, endPads[0], endPads[1])], []);
        var taps = new List<string>();
        for (long i = 0; i < kh; i++)
            for (long j = 0; j < kw; j++)
                taps.Add(emit("Slice", [padded, g.ConstInts(i, j), g.ConstInts(i + stride[0] * (h - 1) + 1, j + stride[1] * (w - 1) + 1),
                    g.ConstInts(2, 3), g.ConstInts(stride[0], stride[1])], []));
        return taps;
    }

    /// <summary>
    /// The im2col matrix [C·k², N·h·w] from <see cref="Im2ColTaps"/>: row c·k² + tap, matching a weight reshaped to
    /// [M, C·k²]. (Concat on the batch axis gives [C, k²·N, h, w], which is that matrix in memory.)
    /// </summary>
    public static string Im2Col(GraphBuilder g, Func<string, IReadOnlyList<string>, AttributeProto[], string> emit,
        IReadOnlyList<string> taps, long c, long kh, long kw, long n, long h, long w) =>
        emit("Reshape", [emit("Concat", taps, [Attr.Int("axis", 1)]), g.ConstInts(c * kh * kw, n * h * w)], []);

    private static long FloorDiv(long a, long b) => (long)Math.Floor((double)a / b);

    /// <summary>dY [N,M,h,w] → [N,M,s·h,s·w] with dY at (s·i, s·j) and zeros elsewhere (trailing zeros included).</summary>
    private static string InsertZeros(GradientContext ctx, string dy, long[] ys, long[] stride)
    {
        var g = ctx.Graph;
        long n = ys[0], m = ys[1], h = ys[2], w = ys[3];
        string x = ctx.Emit("Reshape", [dy, g.ConstInts(n, m, h, 1, w, 1)]);
        if (stride[0] > 1) x = ctx.Emit("Concat", [x, Zeros(ctx, n, m, h, stride[0] - 1, w, 1)], Attr.Int("axis", 3));
        if (stride[1] > 1) x = ctx.Emit("Concat", [x, Zeros(ctx, n, m, h, stride[0], w, stride[1] - 1)], Attr.Int("axis", 5));
        return ctx.Emit("Reshape", [x, g.ConstInts(n, m, h * stride[0], w * stride[1])]);
    }

    private static string Zeros(GradientContext ctx, params long[] shape) =>
        ctx.Emit("Expand", [ctx.Graph.Const(0f), ctx.Graph.ConstInts(shape)]);
}
