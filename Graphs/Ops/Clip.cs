using SphereFace.Graphs.Building;
using SphereFace.Graphs.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Clip (opset 11+): optional scalar min and max inputs; same shape as the input.</summary>
public sealed class Clip : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "Clip";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph) => [inputs[0]];
}
