using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Sum: element-wise sum of any number of inputs with broadcasting (used to accumulate gradients).</summary>
public sealed class Sum : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "Sum";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph) =>
        [inputs[0].WithShape(inputs.Skip(1).Aggregate(inputs[0].Shape, (s, i) => Shapes.Broadcast(s, i.Shape)))];
}
