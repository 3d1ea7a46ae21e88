using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Native;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops.Dnnl;

/// <summary>
/// <c>ai.sphereface.dnnl.PRelu</c>(X, slope) → Y on oneDNN: Y = X where X ≥ 0, slope[c]·X elsewhere, for an NCHW or
/// blocked activation X and C slope values in channel order (any shape, e.g. the [C,1,1] of ONNX PRelu).
/// </summary>
public sealed class DnnlPRelu : IOpRule
{
    /// <inheritdoc/>
    public string OpType => DnnlPlugin.PReluOp;

    /// <inheritdoc/>
    public string Domain => DnnlPlugin.Domain;

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        long c = BlockedLayout.Logical(inputs[0].Shape)[1];
        if (inputs[1].ElementCount != c) throw new ArgumentException($"slope must have {c} values (one per channel), got {inputs[1]}");
        return [inputs[0]];
    }

    /// <summary>dX and dSlope from one <see cref="DnnlPReluGrad"/> node; dSlope is reshaped to the slope's shape.</summary>
    public string?[] Gradient(GradientContext ctx)
    {
        var result = ctx.None();
        var outs = ctx.Graph.NodeMulti(DnnlPlugin.PReluGradOp, [ctx.Input(0), ctx.Input(1), ctx.Dy], 2, name: ctx.Name("prelu_grad"), domain: Domain);
        if (ctx.Needs(0)) result[0] = outs[0];
        if (ctx.Needs(1)) result[1] = ctx.ReshapeToInput(outs[1], 1);
        return result;
    }
}
