using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Transpose with a "perm" attribute (default: reverse the axes).</summary>
public sealed class Transpose : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "Transpose";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var x = inputs[0].Shape;
        var perm = node.GetInts("perm") ?? Enumerable.Range(0, x.Length).Reverse().Select(i => (long)i).ToArray();
        return [inputs[0].WithShape(perm.Select(p => x[p]).ToArray())];
    }

    /// <summary>dx = dy transposed by the inverse permutation.</summary>
    public string?[] Gradient(GradientContext ctx)
    {
        int rank = ctx.InputInfo(0).Rank;
        var perm = ctx.Node.GetInts("perm") ?? Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray();
        var inverse = new long[rank];
        for (int i = 0; i < rank; i++) inverse[perm[i]] = i;
        return [ctx.Emit("Transpose", [ctx.Dy], Attr.Ints("perm", inverse))];
    }
}
