using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX ScatterElements(data, indices, updates, axis, reduction): output has the data's type and shape.</summary>
public sealed class ScatterElements : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "ScatterElements";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph) => [inputs[0]];
}
