using SphereFace.Models.Native;
using SphereFace.Models.Onnx;

namespace SphereFace.Inference.GraphRewrites;

/// <summary>
/// Rewrites a QDQ (int8) embedding graph, as <c>quantize</c> writes it, into explicit uint8 kernels on NHWC
/// activations, so that no float tensor is materialised between the first and the last convolution:
/// <list type="bullet">
/// <item><c>DequantizeLinear → Conv → QuantizeLinear</c> (int8 per-channel weights, int32 bias) becomes ONNX Runtime's
/// <c>com.microsoft.QLinearConv</c> with <c>channels_last = 1</c>;</item>
/// <item><c>DequantizeLinear → Mul(slope) → Max → QuantizeLinear</c> (the quantizer's PRelu) becomes the oneDNN
/// plugin's <c>ai.sphereface.dnnl.QLinearPRelu</c>, which computes the same float arithmetic in one pass;</item>
/// <item><c>DequantizeLinear ×2 → Add → QuantizeLinear</c> becomes <c>com.microsoft.QLinearAdd</c>.</item>
/// </list>
/// A Transpose brings a uint8 value into NHWC where a rewritten node first reads it (the quantized graph input) and
/// back to NCHW where any other node reads it (the embedding's Flatten). Why: left to itself, ONNX Runtime fuses the
/// convolutions and Adds but runs every PRelu as DequantizeLinear (duplicated per consumer), Mul, Max and
/// QuantizeLinear in float — half of SF-20's int8 time (docs/quantization.md) — and a custom op in between would stop
/// its NHWC layout propagation, so the layout is made explicit here. The model file is not changed; the results
/// equal the QDQ graph's except where ONNX Runtime's own QLinearConv/QLinearAdd round differently from its
/// DequantizeLinear + float op + QuantizeLinear (a last-step difference of at most one quantization level).
/// </summary>
public static class QuantizedNhwcGraph
{
    private const string MicrosoftDomain = "com.microsoft";

    /// <summary>Rewrites <paramref name="model"/> in place; returns how many QLinearPRelu nodes it now has (0: unchanged).</summary>
    public static int Apply(ModelProto model)
    {
        var graph = model.Graph ?? throw new ArgumentException("The model has no graph.");
        var view = new QdqView(graph);
        var nhwc = new HashSet<string>(StringComparer.Ordinal);       // uint8 values now in NHWC
        var toNhwc = new Dictionary<string, string>(StringComparer.Ordinal);
        var replaced = new HashSet<NodeProto>();                         // nodes a rewritten unit stands for
        var nodes = new List<NodeProto>();
        int prelus = 0;

        string Nhwc(string quantized)
        {
            if (nhwc.Contains(quantized)) return quantized;
            if (!toNhwc.TryGetValue(quantized, out var t))
            {
                toNhwc[quantized] = t = $"{quantized}/nhwc";
                nodes.Add(Transpose(quantized, t, [0, 2, 3, 1]));
            }
            return t;
        }

        foreach (var node in graph.Node)
        {
            if (replaced.Contains(node)) continue;
            var unit = view.ConvUnit(node) ?? view.PReluUnit(node, nhwc) ?? view.AddUnit(node, nhwc);
            if (unit is null) { nodes.Add(node); continue; }
            var inputs = unit.Inputs.ToList();
            foreach (int i in unit.Activations) inputs[i] = Nhwc(inputs[i]);
            var rewritten = new NodeProto { OpType = unit.Op, Domain = unit.Domain, Name = node.Name, Input = { inputs }, Output = { unit.Output } };
            rewritten.Attribute.AddRange(unit.Attributes);
            nodes.Add(rewritten);
            nhwc.Add(unit.Output);
            replaced.UnionWith(unit.Replaced);
            if (unit.Op == DnnlPlugin.QuantizedPReluOp) prelus++;
        }
        if (prelus == 0) return 0;

        // The rewritten units' outputs replace their QuantizeLinear outputs; drop what nothing reads any more, then give
        // every remaining reader of an NHWC value its NCHW copy.
        nodes = QdqView.WithoutDeadNodes(nodes, graph.Output.Select(o => o.Name));
        var final = new List<NodeProto>(nodes.Count + 2);
        var toNchw = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (node.Domain is not (MicrosoftDomain or DnnlPlugin.Domain))
                for (int i = 0; i < node.Input.Count; i++)
                    if (nhwc.Contains(node.Input[i]))
                    {
                        string v = node.Input[i];
                        if (!toNchw.TryGetValue(v, out var t))
                        {
                            toNchw[v] = t = $"{v}/nchw";
                            final.Add(Transpose(v, t, [0, 3, 1, 2]));
                        }
                        node.Input[i] = t;
                    }
            final.Add(node);
        }
        graph.Node.Clear();
        graph.Node.AddRange(final);
        var used = new HashSet<string>(final.SelectMany(n => n.Input), StringComparer.Ordinal);
        foreach (var unused in graph.Initializer.Where(t => !used.Contains(t.Name)).ToList()) graph.Initializer.Remove(unused);
        foreach (var domain in new[] { MicrosoftDomain, DnnlPlugin.Domain })
            if (model.OpsetImport.All(o => o.Domain != domain))
                model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = 1 });
        return prelus;
    }

    private static NodeProto Transpose(string input, string output, long[] perm)
    {
        var t = new NodeProto { OpType = "Transpose", Name = output, Input = { input }, Output = { output } };
        t.Attribute.Add(Attr.Ints("perm", perm));
        return t;
    }
}
