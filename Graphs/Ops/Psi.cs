using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Native;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>
/// Custom op <c>ai.sphereface.Psi</c> of the margin plugin: ψ(θ) = (−1)^k cos(mθ) − 2k from x = cos θ
/// (float, any shape; clamped to [−1, 1]; NaN gives NaN). Attribute <c>m</c> in 1..8. Its gradient is the
/// plugin's <c>PsiGrad</c> node.
/// </summary>
public sealed class Psi : IOpRule
{
    /// <inheritdoc/>
    public string OpType => MarginPlugin.PsiOp;

    /// <inheritdoc/>
    public string Domain => MarginPlugin.Domain;

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        CheckMargin(node);
        if (inputs[0].Type != ElementType.Float) throw new ArgumentException("cos θ must be float");
        return [inputs[0]];
    }

    /// <inheritdoc/>
    public string?[] Gradient(GradientContext ctx)
    {
        if (!ctx.InputNeedsGradient[0] || ctx.OutputGradients[0] is not { } dPsi) return [null];
        long m = ctx.Node.GetInt("m", 0);
        string dCos = ctx.Graph.Node(MarginPlugin.PsiGradOp, [ctx.Input(0), dPsi], [Attr.Int("m", m)],
            name: ctx.Name("psi_grad"), domain: MarginPlugin.Domain);
        return [dCos];
    }

    /// <summary>Throws unless the node's attribute m is in the supported range.</summary>
    internal static void CheckMargin(NodeProto node)
    {
        long m = node.GetInt("m", 0);
        if (m < MarginPlugin.MinMargin || m > MarginPlugin.MaxMargin)
            throw new ArgumentException($"attribute m = {m} is not supported; expected an integer in [{MarginPlugin.MinMargin}, {MarginPlugin.MaxMargin}]");
    }
}
