using System.Runtime.InteropServices;
using Google.Protobuf;
using SphereFace.Models;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Quantization;

/// <summary>
/// Static post-training quantization of an embedding graph into ONNX's QDQ form, which ONNX Runtime fuses into its int8
/// kernels (QLinearConv, QLinearAdd, QGemm) and any ONNX runtime can read:
/// <list type="bullet">
/// <item>every activation that a Conv or Gemm reads, a Conv writes, or an Add reads or writes gets a
/// QuantizeLinear → DequantizeLinear pair (uint8, scale and zero point from its calibrated range);</item>
/// <item>Conv and Gemm weights become int8 initializers, symmetric per output channel, read through DequantizeLinear;
/// their biases int32 with scale input scale × weight scale;</item>
/// <item>PRelu stays a float op between a DequantizeLinear and a QuantizeLinear (ONNX Runtime has no int8 PRelu); the
/// graph output stays float.</item>
/// </list>
/// The input contract and metadata are kept, with <c>sphereface.quantization</c> describing what was done.
/// </summary>
public static class QdqQuantizer
{
    /// <summary>The activations calibration must observe in <paramref name="model"/> (graph input included).</summary>
    public static IReadOnlyList<string> CalibratedTensors(ModelProto model)
    {
        var graph = model.Graph;
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var result = new List<string>();
        void Add(string t) { if (t.Length > 0 && !outputs.Contains(t) && !result.Contains(t)) result.Add(t); }
        foreach (var node in graph.Node)
            switch (node.OpType)
            {
                case "Conv": Add(node.Input[0]); Add(node.Output[0]); break;
                case "Gemm": Add(node.Input[0]); break;
                case "Add": foreach (var i in node.Input) Add(i); Add(node.Output[0]); break;
            }
        return result;
    }

    /// <summary>The QDQ model of <paramref name="model"/> with activation ranges <paramref name="ranges"/> (tensor → [min, max]).</summary>
    /// <exception cref="ArgumentException">A tensor of <see cref="CalibratedTensors"/> has no range, or a Conv/Gemm weight is not an initializer.</exception>
    public static ModelProto Quantize(ModelProto model, IReadOnlyDictionary<string, (float Min, float Max)> ranges, string description)
    {
        var result = model.Clone();
        var graph = result.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var quantized = CalibratedTensors(model).ToHashSet(StringComparer.Ordinal);
        var scales = new Dictionary<string, float>(StringComparer.Ordinal);
        var dequantized = new Dictionary<string, string>(StringComparer.Ordinal);   // tensor → its DQ output
        var nodes = new List<NodeProto>();

        void QuantizeActivation(string tensor)
        {
            if (!ranges.TryGetValue(tensor, out var range)) throw new ArgumentException($"No calibrated range for activation '{tensor}'.");
            var (scale, zero) = QuantizationMath.Uint8(range.Min, range.Max);
            scales[tensor] = scale;
            graph.Initializer.Add(TensorProtos.Float($"{tensor}/scale", [scale], []));
            graph.Initializer.Add(Raw($"{tensor}/zero_point", TensorProto.Types.DataType.Uint8, [zero], []));
            nodes.Add(Node("QuantizeLinear", [tensor, $"{tensor}/scale", $"{tensor}/zero_point"], $"{tensor}/q"));
            nodes.Add(Node("DequantizeLinear", [$"{tensor}/q", $"{tensor}/scale", $"{tensor}/zero_point"], $"{tensor}/dq"));
            dequantized[tensor] = $"{tensor}/dq";
        }

        foreach (var input in graph.Input) if (quantized.Contains(input.Name)) QuantizeActivation(input.Name);
        foreach (var original in model.Graph.Node)
        {
            var node = original.Clone();
            for (int i = 0; i < node.Input.Count; i++)
                if (dequantized.TryGetValue(node.Input[i], out var dq)) node.Input[i] = dq;
            if (node.OpType is "Conv" or "Gemm") QuantizeWeights(node, original, initializers, scales, graph, nodes);
            if (node.OpType == "PRelu" && AsMax(node, initializers) is { } max) nodes.AddRange(max);
            else nodes.Add(node);
            foreach (var output in node.Output) if (quantized.Contains(output)) QuantizeActivation(output);
        }
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        var stale = graph.Initializer.Where(t => nodes.All(n => !n.Input.Contains(t.Name))).ToList();
        foreach (var t in stale) graph.Initializer.Remove(t);
        result.MetadataProps.Add(new StringStringEntryProto { Key = InputContract.Prefix + "quantization", Value = description });
        return result;
    }

    /// <summary>Replaces a Conv's or Gemm's weight (and bias) initializers by int8 (int32) initializers read through DequantizeLinear.</summary>
    private static void QuantizeWeights(NodeProto node, NodeProto original, Dictionary<string, TensorProto> initializers,
                                        Dictionary<string, float> scales, GraphProto graph, List<NodeProto> nodes)
    {
        string weightName = original.Input[1];
        if (!initializers.TryGetValue(weightName, out var weight)) throw new ArgumentException($"{original.OpType} '{original.Name}': weight '{weightName}' is not an initializer.");
        if (original.OpType == "Gemm" && original.Attribute.FirstOrDefault(a => a.Name == "transB")?.I != 1)
            throw new ArgumentException($"Gemm '{original.Name}': only transB = 1 (weights [out, in]) is quantized.");
        if (!scales.TryGetValue(original.Input[0], out float inputScale)) throw new ArgumentException($"{original.OpType} '{original.Name}': its input is not quantized.");
        var w = TensorProtos.Floats(weight);
        var (qw, ws) = QuantizationMath.Int8PerChannel(w, [.. weight.Dims]);
        graph.Initializer.Add(Raw($"{weightName}/int8", TensorProto.Types.DataType.Int8, MemoryMarshal.AsBytes(qw.AsSpan()).ToArray(), [.. weight.Dims]));
        graph.Initializer.Add(TensorProtos.Float($"{weightName}/scale", ws, [ws.Length]));
        graph.Initializer.Add(Raw($"{weightName}/zero_point", TensorProto.Types.DataType.Int8, new byte[ws.Length], [ws.Length]));
        nodes.Add(Node("DequantizeLinear", [$"{weightName}/int8", $"{weightName}/scale", $"{weightName}/zero_point"], $"{weightName}/dq", axis: 0));
        node.Input[1] = $"{weightName}/dq";
        if (original.Input.Count > 2 && original.Input[2].Length > 0 && initializers.TryGetValue(original.Input[2], out var bias))
        {
            string b = original.Input[2];
            var (qb, bs) = QuantizationMath.Int32Bias(TensorProtos.Floats(bias), inputScale, ws);
            graph.Initializer.Add(Raw($"{b}/int32", TensorProto.Types.DataType.Int32, MemoryMarshal.AsBytes(qb.AsSpan()).ToArray(), [qb.Length]));
            graph.Initializer.Add(TensorProtos.Float($"{b}/scale", bs, [bs.Length]));
            nodes.Add(Node("DequantizeLinear", [$"{b}/int32", $"{b}/scale"], $"{b}/dq", axis: 0));
            node.Input[2] = $"{b}/dq";
        }
    }

    /// <summary>
    /// PRelu with every slope in [0, 1] as Max(x, slope · x), which equals it there (x ≥ 0: x ≥ s·x; x &lt; 0: s·x ≥ x):
    /// ONNX Runtime has no int8 PRelu, and its float PRelu kernel is slower than Mul + Max, which also keep the int8
    /// graph's NHWC layout (measured in docs/inference.md). Null when a slope is outside [0, 1] or not an initializer.
    /// </summary>
    private static NodeProto[]? AsMax(NodeProto prelu, Dictionary<string, TensorProto> initializers)
    {
        if (!initializers.TryGetValue(prelu.Input[1], out var slope) || TensorProtos.Floats(slope).Any(v => !(v is >= 0f and <= 1f))) return null;
        string scaled = $"{prelu.Output[0]}/scaled";
        return
        [
            new NodeProto { OpType = "Mul", Name = scaled, Input = { prelu.Input[0], prelu.Input[1] }, Output = { scaled } },
            new NodeProto { OpType = "Max", Name = prelu.Name, Input = { prelu.Input[0], scaled }, Output = { prelu.Output[0] } },
        ];
    }

    private static TensorProto Raw(string name, TensorProto.Types.DataType type, byte[] data, long[] shape) =>
        new() { Name = name, DataType = (int)type, Dims = { shape }, RawData = ByteString.CopyFrom(data) };

    private static NodeProto Node(string op, string[] inputs, string output, long? axis = null)
    {
        var n = new NodeProto { OpType = op, Name = output, Input = { inputs }, Output = { output } };
        if (axis is { } a) n.Attribute.Add(Attr.Int("axis", a));
        return n;
    }
}
