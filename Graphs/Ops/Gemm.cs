using SphereFace.Graphs.Building;
using SphereFace.Graphs.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Gemm: Y = alpha·op(A)·op(B) + beta·C, op = transpose when transA/transB = 1; C broadcasts to [M,N].</summary>
public sealed class Gemm : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "Gemm";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var a = inputs[0].Shape;
        var b = inputs[1].Shape;
        if (a.Length != 2 || b.Length != 2) throw new ArgumentException("Gemm expects 2-D A and B");
        bool ta = node.GetInt("transA", 0) != 0, tb = node.GetInt("transB", 0) != 0;
        long m = ta ? a[1] : a[0], ka = ta ? a[0] : a[1];
        long kb = tb ? b[1] : b[0], n = tb ? b[0] : b[1];
        if (ka != kb) throw new ArgumentException($"inner dimensions differ: {ka} vs {kb}");
        if (inputs.Count > 2 && inputs[2] is { } c) Shapes.Broadcast([m, n], c.Shape);
        return [new TensorInfo(inputs[0].Type, [m, n])];
    }
}
