using SphereFace.Graphs.Building;
using SphereFace.Models.Native;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops.Dnnl;

/// <summary>
/// <c>ai.sphereface.dnnl.PReluGrad</c>(X, slope, dY) → dX, dSlope: the gradients of <see cref="DnnlPRelu"/>,
/// dX = dY where X &gt; 0 and slope[c]·dY elsewhere, dSlope[c] = Σ dY·min(X, 0) over batch and space ([C]).
/// Emitted by <see cref="DnnlPRelu.Gradient"/>; no gradient of its own.
/// </summary>
public sealed class DnnlPReluGrad : IOpRule
{
    /// <inheritdoc/>
    public string OpType => DnnlPlugin.PReluGradOp;

    /// <inheritdoc/>
    public string Domain => DnnlPlugin.Domain;

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        long c = BlockedLayout.Logical(inputs[0].Shape)[1];
        if (inputs[1].ElementCount != c) throw new ArgumentException($"slope must have {c} values");
        if (!inputs[2].Equals(inputs[0])) throw new ArgumentException("dY must have X's shape");
        return [inputs[0], new TensorInfo(ElementType.Float, [c])];
    }
}
