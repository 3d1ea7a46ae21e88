using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Gather(data, indices, axis): data's shape with the axis replaced by the indices' shape.</summary>
public sealed class Gather : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "Gather";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var x = inputs[0].Shape;
        int axis = Shapes.Axis(node.GetInt("axis", 0), x.Length);
        return [new TensorInfo(inputs[0].Type, [.. x.Take(axis), .. inputs[1].Shape, .. x.Skip(axis + 1)])];
    }
}
