using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Cast: same shape, element type from the "to" attribute (a TensorProto.DataType number).</summary>
public sealed class Cast : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "Cast";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph) =>
        [new TensorInfo((ElementType)node.GetInt("to", 0), inputs[0].Shape)];

    /// <summary>Not differentiable: no gradient flows through a type conversion.</summary>
    public string?[] Gradient(GradientContext ctx) => ctx.None();
}
