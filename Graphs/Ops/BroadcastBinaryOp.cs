using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>Shape rule shared by the element-wise binary ops with numpy broadcasting.</summary>
public abstract class BroadcastBinaryOp : IOpRule
{
    /// <inheritdoc/>
    public abstract string OpType { get; }

    /// <inheritdoc/>
    public virtual TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        Shapes.SameType(inputs[0], inputs[1]);
        return [new TensorInfo(inputs[0].Type, Shapes.Broadcast(inputs[0].Shape, inputs[1].Shape))];
    }

    /// <summary>Reverse-mode rule (see <see cref="IOpRule.Gradient"/>); ops without one throw.</summary>
    public virtual string?[] Gradient(GradientContext ctx) =>
        throw new NotSupportedException($"Op '{OpType}' has no gradient rule (node '{ctx.Node.Name}').");
}
