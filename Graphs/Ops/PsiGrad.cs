using SphereFace.Graphs.Building;
using SphereFace.Models.Native;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>
/// Custom op <c>ai.sphereface.PsiGrad</c> of the margin plugin: (cos θ, dψ) → dψ · (−1)^k · m · U_{m−1}(cos θ),
/// the exact derivative of ψ with respect to cos θ (0 where cos θ lies outside [−1, 1]). Both inputs float with
/// equal shapes; attribute <c>m</c> in 1..8. Not differentiated further.
/// </summary>
public sealed class PsiGrad : IOpRule
{
    /// <inheritdoc/>
    public string OpType => MarginPlugin.PsiGradOp;

    /// <inheritdoc/>
    public string Domain => MarginPlugin.Domain;

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        Psi.CheckMargin(node);
        if (!inputs[0].Equals(inputs[1])) throw new ArgumentException($"cos θ {inputs[0]} and dψ {inputs[1]} must have the same type and shape");
        if (inputs[0].Type != ElementType.Float) throw new ArgumentException("cos θ must be float");
        return [inputs[0]];
    }
}
