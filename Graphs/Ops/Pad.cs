using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Pad (opset 13+, mode "constant"): constant int64 pads [begin_0.., end_0..] (non-negative), optional constant value.</summary>
public sealed class Pad : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "Pad";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var x = inputs[0].Shape;
        var pads = graph.ConstantValue(node.Input[1]) as long[] ?? throw new ArgumentException("pads must be a constant int64 tensor");
        if (pads.Length != 2 * x.Length) throw new ArgumentException($"pads has {pads.Length} values, rank {x.Length} needs {2 * x.Length}");
        if (pads.Any(p => p < 0)) throw new ArgumentException("negative pads are not supported");
        if (node.GetString("mode", "constant") != "constant") throw new ArgumentException("only constant padding is supported");
        return [inputs[0].WithShape(x.Select((d, i) => d < 0 ? -1 : d + pads[i] + pads[i + x.Length]).ToArray())];
    }
}
