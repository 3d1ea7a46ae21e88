using SphereFace.Models.Native;
using SphereFace.Models.Onnx;

namespace SphereFace.Inference.GraphRewrites;

/// <summary>
/// Finds the QDQ node units of a quantized graph that <see cref="QuantizedNhwcGraph"/> turns into uint8 kernels: who
/// produces and who reads each value, and which initializers hold scales, zero points, weights and biases.
/// </summary>
internal sealed class QdqView
{
    private readonly Dictionary<string, NodeProto> _producer = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> _consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> _initializers;
    private readonly HashSet<string> _outputs;

    public QdqView(GraphProto graph)
    {
        _initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var n in graph.Node)
        {
            foreach (var o in n.Output) _producer[o] = n;
            foreach (var i in n.Input.Where(i => i.Length > 0))
            {
                if (!_consumers.TryGetValue(i, out var list)) _consumers[i] = list = [];
                list.Add(n);
            }
        }
    }

    /// <summary>A rewritten unit: the op that replaces <see cref="Replaced"/>, its inputs (those at
    /// <see cref="Activations"/> are uint8 activations that must be NHWC) and its uint8 NHWC output.</summary>
    public sealed record Unit(string Op, string Domain, string[] Inputs, int[] Activations, string Output,
                              AttributeProto[] Attributes, NodeProto[] Replaced);

    /// <summary><c>DQ(x) → Conv(DQ(int8 W), DQ(int32 B)?) → Q</c> as <c>com.microsoft.QLinearConv</c>, or null.</summary>
    public Unit? ConvUnit(NodeProto conv)
    {
        if (conv.OpType != "Conv" || conv.Domain is not ("" or "ai.onnx") || conv.Input.Count is < 2 or > 3) return null;
        if (conv.Attribute.Any(a => a.Name == "auto_pad" && a.S.ToStringUtf8() is not ("" or "NOTSET"))) return null;
        if (ActivationDq(conv.Input[0]) is not { } x || QuantizedOutput(conv.Output[0]) is not { } y) return null;
        if (!IsDq(conv.Input[1], out var w) || !IsInitializer(w.Input[0], TensorProto.Types.DataType.Int8)
            || w.Input.Count < 3 || !IsInitializer(w.Input[2], TensorProto.Types.DataType.Int8) || !IsInitializer(w.Input[1], TensorProto.Types.DataType.Float))
            return null;
        var inputs = new List<string> { x.Input[0], x.Input[1], x.Input[2], w.Input[0], w.Input[1], w.Input[2], y.Input[1], y.Input[2] };
        if (conv.Input.Count == 3 && conv.Input[2].Length > 0)
        {
            // QLinearConv reads the int32 bias at scale x_scale · w_scale; accept only a bias quantized that way.
            if (!IsDq(conv.Input[2], out var b) || !IsInitializer(b.Input[0], TensorProto.Types.DataType.Int32)
                || !BiasScaleMatches(b.Input[1], x.Input[1], w.Input[1]))
                return null;
            inputs.Add(b.Input[0]);
        }
        var attributes = conv.Attribute.Select(a => a.Clone()).Append(Attr.Int("channels_last", 1)).ToArray();
        return new Unit("QLinearConv", "com.microsoft", [.. inputs], [0], y.Output[0], attributes, [y]);
    }

    /// <summary><c>DQ(x) → Mul(x, slope) → Max(x, ·) → Q</c> on an NHWC value as <c>ai.sphereface.dnnl.QLinearPRelu</c>, or null.</summary>
    public Unit? PReluUnit(NodeProto mul, IReadOnlySet<string> nhwc)
    {
        if (mul.OpType != "Mul" || mul.Domain is not ("" or "ai.onnx") || mul.Input.Count != 2) return null;
        if (ActivationDq(mul.Input[0]) is not { } x || !nhwc.Contains(x.Input[0])) return null;
        if (!IsInitializer(mul.Input[1], TensorProto.Types.DataType.Float) || !IsChannelVector(_initializers[mul.Input[1]])) return null;
        if (SoleConsumer(mul.Output[0]) is not { OpType: "Max", Domain: "" } max || max.Input.Count != 2) return null;
        if (!max.Input.Contains(mul.Input[0]) || !max.Input.Contains(mul.Output[0])) return null;
        if (QuantizedOutput(max.Output[0]) is not { } y) return null;
        return new Unit(DnnlPlugin.QuantizedPReluOp, DnnlPlugin.Domain,
            [x.Input[0], x.Input[1], x.Input[2], mul.Input[1], y.Input[1], y.Input[2]], [0], y.Output[0], [], [max, y]);
    }

    /// <summary><c>DQ(a) + DQ(b) → Q</c> on two NHWC values as <c>com.microsoft.QLinearAdd</c>, or null.</summary>
    public Unit? AddUnit(NodeProto add, IReadOnlySet<string> nhwc)
    {
        if (add.OpType != "Add" || add.Domain is not ("" or "ai.onnx") || add.Input.Count != 2) return null;
        if (ActivationDq(add.Input[0]) is not { } a || ActivationDq(add.Input[1]) is not { } b) return null;
        if (!nhwc.Contains(a.Input[0]) || !nhwc.Contains(b.Input[0]) || QuantizedOutput(add.Output[0]) is not { } y) return null;
        return new Unit("QLinearAdd", "com.microsoft",
            [a.Input[0], a.Input[1], a.Input[2], b.Input[0], b.Input[1], b.Input[2], y.Input[1], y.Input[2]], [0, 3], y.Output[0], [], [y]);
    }

    /// <summary>The nodes of <paramref name="nodes"/> (in order) that contribute to <paramref name="outputs"/>.</summary>
    public static List<NodeProto> WithoutDeadNodes(List<NodeProto> nodes, IEnumerable<string> outputs)
    {
        var live = new HashSet<string>(outputs, StringComparer.Ordinal);
        var kept = new List<NodeProto>(nodes.Count);
        for (int i = nodes.Count - 1; i >= 0; i--)
        {
            if (!nodes[i].Output.Any(live.Contains)) continue;
            kept.Add(nodes[i]);
            live.UnionWith(nodes[i].Input);
        }
        kept.Reverse();
        return kept;
    }

    /// <summary>The DequantizeLinear producing <paramref name="value"/> from a uint8 activation with scalar scale and zero point.</summary>
    private NodeProto? ActivationDq(string value) =>
        IsDq(value, out var dq) && dq.Input.Count == 3 && !_initializers.ContainsKey(dq.Input[0])
        && IsScalar(dq.Input[1], TensorProto.Types.DataType.Float) && IsScalar(dq.Input[2], TensorProto.Types.DataType.Uint8) ? dq : null;

    /// <summary>The QuantizeLinear (uint8, scalar parameters) that alone reads <paramref name="value"/>.</summary>
    private NodeProto? QuantizedOutput(string value) =>
        SoleConsumer(value) is { OpType: "QuantizeLinear", Domain: "" } q && q.Input.Count == 3 && q.Input[0] == value
        && IsScalar(q.Input[1], TensorProto.Types.DataType.Float) && IsScalar(q.Input[2], TensorProto.Types.DataType.Uint8) ? q : null;

    private NodeProto? SoleConsumer(string value) =>
        !_outputs.Contains(value) && _consumers.TryGetValue(value, out var list) && list.Count == 1 ? list[0] : null;

    private bool IsDq(string value, out NodeProto dq)
    {
        dq = null!;
        if (!_producer.TryGetValue(value, out var p) || p.OpType != "DequantizeLinear" || p.Domain is not ("" or "ai.onnx")) return false;
        dq = p;
        return true;
    }

    private bool IsInitializer(string name, TensorProto.Types.DataType type) =>
        _initializers.TryGetValue(name, out var t) && t.DataType == (int)type;

    private bool IsScalar(string name, TensorProto.Types.DataType type) =>
        IsInitializer(name, type) && _initializers[name].Dims.Aggregate(1L, (p, d) => p * d) == 1;

    /// <summary>Shape [C], [C, 1, 1] or [1, C, 1, 1]: one value per channel.</summary>
    private static bool IsChannelVector(TensorProto t) =>
        t.Dims.Count(d => d != 1) <= 1 && (t.Dims.Count is 1 or 3 || (t.Dims.Count == 4 && t.Dims[0] == 1 && t.Dims[2] == 1 && t.Dims[3] == 1));

    private bool BiasScaleMatches(string biasScale, string inputScale, string weightScale)
    {
        var bs = TensorProtos.Floats(_initializers[biasScale]);
        float xs = TensorProtos.Floats(_initializers[inputScale])[0];
        var ws = TensorProtos.Floats(_initializers[weightScale]);
        if (bs.Length != ws.Length) return false;
        for (int i = 0; i < bs.Length; i++)
            if (Math.Abs(bs[i] - xs * ws[i]) > 1e-6 * Math.Abs(xs * ws[i])) return false;
        return true;
    }

}
