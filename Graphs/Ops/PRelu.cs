using SphereFace.Graphs.Building;
using SphereFace.Graphs.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX PRelu: y = x for x ≥ 0, slope·x otherwise; slope broadcasts unidirectionally to x (per channel: [C,1,1]).</summary>
public sealed class PRelu : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "PRelu";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var shape = Shapes.Broadcast(inputs[0].Shape, inputs[1].Shape);
        if (!shape.SequenceEqual(inputs[0].Shape)) throw new ArgumentException("slope must broadcast to the input's shape");
        return [inputs[0]];
    }
}
