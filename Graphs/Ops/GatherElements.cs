using SphereFace.Graphs.Building;
using SphereFace.Graphs.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX GatherElements(data, indices, axis): output has the indices' shape and the data's type.</summary>
public sealed class GatherElements : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "GatherElements";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        if (inputs[0].Rank != inputs[1].Rank) throw new ArgumentException("data and indices must have the same rank");
        return [new TensorInfo(inputs[0].Type, inputs[1].Shape)];
    }
}
