using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX DepthToSpace: [N, b²·C, H, W] → [N, C, b·H, b·W]; mode "DCR" (default) takes channel (i·b + j)·C + c to offset (i, j).</summary>
public sealed class DepthToSpace : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "DepthToSpace";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var x = inputs[0].Shape;
        long b = node.GetInt("blocksize", 0);
        if (x.Length != 4) throw new ArgumentException("DepthToSpace expects a 4-D input");
        if (b < 1 || x[1] % (b * b) != 0) throw new ArgumentException($"blocksize {b} does not divide {x[1]} channels into b² groups");
        return [inputs[0].WithShape(x[0], x[1] / (b * b), x[2] < 0 ? -1 : x[2] * b, x[3] < 0 ? -1 : x[3] * b)];
    }
}
