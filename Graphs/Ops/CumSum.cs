using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX CumSum(x, axis) (opset 14): running sum along a constant axis input; same type and shape as x.</summary>
public sealed class CumSum : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "CumSum";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        if (graph.ConstantValue(node.Input[1]) is not long[] { Length: 1 } axis)
            throw new ArgumentException("CumSum needs a constant int64 axis");
        Shapes.Axis(axis[0], inputs[0].Rank);
        return [inputs[0]];
    }
}
