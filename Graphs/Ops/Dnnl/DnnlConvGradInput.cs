using SphereFace.Graphs.Building;
using SphereFace.Models.Native;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops.Dnnl;

/// <summary>
/// <c>ai.sphereface.dnnl.ConvGradInput</c>(dY, W) → dX: the input gradient of <see cref="DnnlConv"/> with the same
/// strides, pads and algorithm. dY is blocked; dX has the shape of attribute input_shape (the forward input's,
/// NCHW or blocked). Positions the forward conv never reads get 0. Emitted by <see cref="DnnlConv.Gradient"/>; no gradient of its own.
/// </summary>
public sealed class DnnlConvGradInput : IOpRule
{
    /// <inheritdoc/>
    public string OpType => DnnlPlugin.ConvGradInputOp;

    /// <inheritdoc/>
    public string Domain => DnnlPlugin.Domain;

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var shape = node.GetInts("input_shape") ?? throw new ArgumentException("attribute input_shape is required");
        var x = BlockedLayout.Logical(shape);
        if (!BlockedLayout.IsBlocked(inputs[0].Shape)) throw new ArgumentException("dY must be blocked [N,M/b,OH,OW,b]");
        if (inputs[1].Shape is not [_, var c, _, _] || c != x[1]) throw new ArgumentException($"weights must be [M,{x[1]},kh,kw]");
        return [new TensorInfo(ElementType.Float, shape)];
    }
}
