using SphereFace.Graphs.Building;
using SphereFace.Models.Native;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops.Dnnl;

/// <summary>
/// <c>ai.sphereface.dnnl.ConvGradWeight</c>(X, dY) → dW [M,C,kh,kw], dB [M] (second output only when the node has
/// two): the weight and bias gradients of <see cref="DnnlConv"/> with the same strides, pads and algorithm and
/// attribute kernel_shape. Emitted by <see cref="DnnlConv.Gradient"/>; no gradient of its own.
/// </summary>
public sealed class DnnlConvGradWeight : IOpRule
{
    /// <inheritdoc/>
    public string OpType => DnnlPlugin.ConvGradWeightOp;

    /// <inheritdoc/>
    public string Domain => DnnlPlugin.Domain;

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var kernel = node.GetInts("kernel_shape") ?? throw new ArgumentException("attribute kernel_shape is required");
        var x = BlockedLayout.Logical(inputs[0].Shape);
        var dy = inputs[1].Shape;
        if (!BlockedLayout.IsBlocked(dy)) throw new ArgumentException("dY must be blocked [N,M/b,OH,OW,b]");
        long m = BlockedLayout.Logical(dy)[1];
        return [new TensorInfo(ElementType.Float, [m, x[1], kernel[0], kernel[1]]), new TensorInfo(ElementType.Float, [m])];
    }
}
