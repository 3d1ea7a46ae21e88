using SphereFace.Models.Native;
using SphereFace.Models.Onnx;

namespace SphereFace.Inference.GraphRewrites;

/// <summary>
/// Rewrites a frozen embedding graph so its convolutions run on the oneDNN plugin (docs/kernels.md): every
/// <c>Conv</c> (2-D, group 1, no dilation, a float32 initializer as weights, output channels a multiple of the block) becomes
/// <c>ai.sphereface.dnnl.Conv</c> with constant weights, fused with the <c>PRelu</c> that alone consumes it (per-channel
/// slope initializer) and with the residual <c>Add</c> that alone consumes that PRelu when the Add's other input is
/// already blocked: <c>y = prelu(conv(x) + b) + skip</c> in one kernel. Activations between rewritten nodes stay in
/// oneDNN's blocked layout (nChw16c or nChw8c, <see cref="Options.Block"/>); a Transpose and Reshape turn a blocked value back to NCHW where any other node (the
/// embedding's Flatten) reads it. Graph inputs, outputs and all other nodes are untouched, so the result equals the
/// original graph up to float rounding.
/// </summary>
public static class FusedDnnlConvs
{
    /// <summary>
    /// How the rewritten convolutions are computed: the algorithm of the stride-1 3×3 ones (<c>direct</c>, <c>winograd</c>
    /// or <c>auto</c>) and the channel block of the activations between them (8 or 16: <see cref="KernelChoice.Block"/>).
    /// </summary>
    public sealed record Options(string StrideOneAlgorithm = "auto", int Block = 16);

    /// <summary>Rewrites <paramref name="model"/> in place; returns how many Conv nodes now run on oneDNN (0: unchanged).</summary>
    public static int Apply(ModelProto model, Options? options = null)
    {
        options ??= new Options();
        var graph = model.Graph ?? throw new ArgumentException("The model has no graph.");
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var consumers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var n in graph.Node)
            foreach (var i in n.Input.Where(i => i.Length > 0))
            {
                if (!consumers.TryGetValue(i, out var list)) consumers[i] = list = [];
                list.Add(n);
            }
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        NodeProto? SoleConsumer(string value) =>
            !outputs.Contains(value) && consumers.TryGetValue(value, out var list) && list.Count == 1 ? list[0] : null;

        // Logical [C, H, W] of the values a rewritten conv reads or writes: static graph inputs, then every blocked value.
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var input in graph.Input)
            if (input.Type?.TensorType?.Shape?.Dim is { Count: 4 } dims && dims.Skip(1).All(d => d.DimValue > 0))
                shapes[input.Name] = dims.Skip(1).Select(d => d.DimValue).ToArray();
        var blocked = new HashSet<string>(StringComparer.Ordinal);   // values now blocked
        var fusedAway = new HashSet<NodeProto>();                     // PRelu / Add nodes folded into a conv
        var plain = new Dictionary<string, string>(StringComparer.Ordinal); // blocked value → its NCHW copy
        var nodes = new List<NodeProto>();
        int rewritten = 0, fresh = 0;
        string Fresh(string stem) => $"{stem}/nchw_{fresh++}";

        foreach (var node in graph.Node)
        {
            if (fusedAway.Contains(node)) continue;
            if (IsConvertible(node, initializers, options.Block, out long channels, out long kernel, out long stride)
                && shapes.TryGetValue(node.Input[0], out var inShape))
            {
                var fused = new NodeProto { OpType = DnnlPlugin.ConvOp, Domain = DnnlPlugin.Domain, Name = node.Name };
                fused.Input.AddRange(node.Input);
                if (fused.Input.Count == 2) fused.Input.Add("");
                string output = node.Output[0];
                if (SoleConsumer(output) is { } prelu && IsPerChannelPRelu(prelu, output, initializers, channels))
                {
                    fused.Input.Add(prelu.Input[1]);
                    fusedAway.Add(prelu);
                    output = prelu.Output[0];
                    if (SoleConsumer(output) is { OpType: "Add", Domain: "" } add && add.Input.Count == 2
                        && add.Input.FirstOrDefault(i => i != output) is { } skip && blocked.Contains(skip)
                        && add.Input.Count(i => i == output) == 1)
                    {
                        fused.Input.Add(skip);
                        fusedAway.Add(add);
                        output = add.Output[0];
                    }
                }
                fused.Output.Add(output);
                fused.Attribute.AddRange(node.Attribute.Where(a => a.Name is "strides" or "pads"));
                var pads = node.GetInts("pads") ?? [0, 0, 0, 0];
                shapes[output] = [channels, (inShape[1] + pads[0] + pads[2] - kernel) / stride + 1, (inShape[2] + pads[1] + pads[3] - kernel) / stride + 1];
                string algorithm = stride == 1 && kernel == 3 ? options.StrideOneAlgorithm : "direct";
                fused.Attribute.Add(Attr.String("algorithm", algorithm));
                fused.Attribute.Add(Attr.Int("block", options.Block));
                fused.Attribute.Add(Attr.Int("constant_weights", 1));
                nodes.Add(fused);
                blocked.Add(output);
                rewritten++;
                continue;
            }
            // Any other reader of a blocked value gets it back in NCHW.
            for (int i = 0; i < node.Input.Count; i++)
            {
                string input = node.Input[i];
                if (!blocked.Contains(input)) continue;
                if (!plain.TryGetValue(input, out var nchw))
                {
                    nchw = Fresh(input);
                    nodes.AddRange(ToPlain(graph, input, nchw, shapes[input]));
                    plain[input] = nchw;
                }
                node.Input[i] = nchw;
            }
            nodes.Add(node);
        }
        if (rewritten == 0) return 0;
        foreach (var o in graph.Output)
            if (blocked.Contains(o.Name)) throw new InvalidOperationException($"Graph output '{o.Name}' would be blocked; the rewrite does not apply.");
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        if (model.OpsetImport.All(o => o.Domain != DnnlPlugin.Domain))
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = DnnlPlugin.Domain, Version = 1 });
        return rewritten;
    }

    private static bool IsConvertible(NodeProto node, Dictionary<string, TensorProto> initializers, int block, out long channels, out long kernel, out long stride)
    {
        channels = kernel = stride = 0;
        if (node.OpType != "Conv" || node.Domain is not ("" or "ai.onnx") || node.Input.Count is < 2 or > 3) return false;
        if (node.GetInt("group", 1) != 1 || (node.GetInts("dilations") ?? [1, 1]).Any(d => d != 1)) return false;
        if (node.GetString("auto_pad", "NOTSET") != "NOTSET") return false;
        if (!initializers.TryGetValue(node.Input[1], out var w) || w.DataType != (int)TensorProto.Types.DataType.Float || w.Dims.Count != 4) return false;
        if (node.Input.Count == 3 && node.Input[2].Length > 0 && !initializers.ContainsKey(node.Input[2])) return false;
        var strides = node.GetInts("strides") ?? [1, 1];
        if (strides.Length != 2 || strides[0] != strides[1]) return false;
        channels = w.Dims[0];
        kernel = w.Dims[2] == w.Dims[3] ? w.Dims[2] : 0;
        stride = strides[0];
        return channels % block == 0;
    }

    /// <summary>A PRelu of <paramref name="input"/> with one float slope per channel of an NCHW tensor ([C,1,1] or [1,C,1,1]).</summary>
    private static bool IsPerChannelPRelu(NodeProto node, string input, Dictionary<string, TensorProto> initializers, long channels) =>
        node.OpType == "PRelu" && (node.Domain is "" or "ai.onnx") && node.Input.Count == 2 && node.Input[0] == input
        && initializers.TryGetValue(node.Input[1], out var s) && s.DataType == (int)TensorProto.Types.DataType.Float
        && (s.Dims.SequenceEqual([channels, 1L, 1L]) || s.Dims.SequenceEqual([1L, channels, 1L, 1L]));

    /// <summary>Blocked [N,C/b,H,W,b] → NCHW: Transpose to [N,C/b,b,H,W], Reshape to [N,C,H,W] (N copied).</summary>
    private static IEnumerable<NodeProto> ToPlain(GraphProto graph, string blocked, string nchw, long[] chw)
    {
        string transposed = nchw + "/transposed", shape = nchw + "/shape";
        var t = new NodeProto { OpType = "Transpose", Name = nchw + "/transpose" };
        t.Input.Add(blocked);
        t.Output.Add(transposed);
        t.Attribute.Add(Attr.Ints("perm", 0, 1, 4, 2, 3));
        graph.Initializer.Add(TensorProtos.Int64(shape, [0, chw[0], chw[1], chw[2]], [4]));
        var r = new NodeProto { OpType = "Reshape", Name = nchw + "/reshape" };
        r.Input.AddRange([transposed, shape]);
        r.Output.Add(nchw);
        return [t, r];
    }
}
