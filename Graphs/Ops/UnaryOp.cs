using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>Shape rule shared by element-wise unary ops: output has the input's type and shape.</summary>
public abstract class UnaryOp : IOpRule
{
    /// <inheritdoc/>
    public abstract string OpType { get; }

    /// <inheritdoc/>
    public virtual TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph) => [inputs[0]];

    /// <summary>Reverse-mode rule (see <see cref="IOpRule.Gradient"/>); ops without one throw.</summary>
    public virtual string?[] Gradient(GradientContext ctx) =>
        throw new NotSupportedException($"Op '{OpType}' has no gradient rule (node '{ctx.Node.Name}').");
}
