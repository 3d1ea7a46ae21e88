using SphereFace.Graphs.Building;
using SphereFace.Graphs.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Conv, 2-D, NCHW, group 1: inputs X [N,C,H,W], W [M,C,kh,kw], optional B [M].</summary>
public sealed class Conv : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "Conv";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var x = inputs[0].Shape;
        var w = inputs[1].Shape;
        if (x.Length != 4 || w.Length != 4) throw new ArgumentException("Conv expects 4-D input and weight");
        if (x[1] != w[1]) throw new ArgumentException($"input has {x[1]} channels, weight expects {w[1]}");
        if (node.GetInt("group", 1) != 1) throw new ArgumentException("only group = 1 is supported");
        if (inputs.Count > 2 && inputs[2] is { } b && (b.Rank != 1 || b.Shape[0] != w[0]))
            throw new ArgumentException($"bias must be [{w[0]}]");
        var (stride, pads, dilation) = Geometry(node);
        long Out(long size, int axis) => size < 0 ? -1
            : (size + pads[axis] + pads[axis + 2] - dilation[axis] * (w[axis + 2] - 1) - 1) / stride[axis] + 1;
        return [new TensorInfo(inputs[0].Type, [x[0], w[0], Out(x[2], 0), Out(x[3], 1)])];
    }

    /// <summary>Strides, pads (top, left, bottom, right) and dilations of a Conv node, with ONNX defaults.</summary>
    public static (long[] Stride, long[] Pads, long[] Dilation) Geometry(NodeProto node) =>
        (node.GetInts("strides") ?? [1, 1], node.GetInts("pads") ?? [0, 0, 0, 0], node.GetInts("dilations") ?? [1, 1]);
}
