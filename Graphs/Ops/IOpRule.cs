using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>
/// What the builder knows about one op type: its output types and shapes from its inputs, and (for
/// differentiable ops) its reverse-mode gradient rule. One class per op, found by <see cref="OpRegistry"/>;
/// forward shape rule and gradient rule sit side by side in the op's file.
/// </summary>
public interface IOpRule
{
    /// <summary>ONNX op type, e.g. "Conv".</summary>
    string OpType { get; }

    /// <summary>Operator-set domain; "" for the default ONNX domain.</summary>
    string Domain => "";

    /// <summary>
    /// Types and shapes of the node's outputs. <paramref name="inputs"/> has null for omitted optional inputs.
    /// Throws with a plain message when inputs or attributes are inconsistent (the builder adds the node name).
    /// </summary>
    TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph);

    /// <summary>
    /// Emits the backward nodes of one forward node into <see cref="GradientContext.Graph"/> and returns, per
    /// input, the name of the gradient of the loss with respect to that input (null where no gradient is
    /// needed or the input is not differentiable). Ops without a rule throw.
    /// </summary>
    string?[] Gradient(GradientContext ctx) =>
        throw new NotSupportedException($"Op '{OpType}' has no gradient rule (node '{ctx.Node.Name}').");
}
