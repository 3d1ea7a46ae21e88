using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>
/// ONNX ConvTranspose, 2-D, NCHW, group 1: X [N,M,h,w], W [M,C,kh,kw] → [N,C,H,W] with
/// H = s·(h − 1) + output_padding + kh − pad_begin − pad_end (used by conv input gradients).
/// </summary>
public sealed class ConvTranspose : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "ConvTranspose";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var x = inputs[0].Shape;
        var w = inputs[1].Shape;
        if (x.Length != 4 || w.Length != 4) throw new ArgumentException("ConvTranspose expects 4-D input and weight");
        if (x[1] != w[0]) throw new ArgumentException($"input has {x[1]} channels, weight expects {w[0]}");
        if (node.GetInt("group", 1) != 1) throw new ArgumentException("only group = 1 is supported");
        if (node.GetInts("output_shape") is not null) throw new ArgumentException("output_shape is not supported; use pads and output_padding");
        var (stride, pads, dilation) = Conv.Geometry(node);
        var outputPadding = node.GetInts("output_padding") ?? [0, 0];
        long Out(long size, int axis) => size < 0 ? -1
            : stride[axis] * (size - 1) + outputPadding[axis] + dilation[axis] * (w[axis + 2] - 1) + 1 - pads[axis] - pads[axis + 2];
        return [new TensorInfo(inputs[0].Type, [x[0], w[1], Out(x[2], 0), Out(x[3], 1)])];
    }
}
