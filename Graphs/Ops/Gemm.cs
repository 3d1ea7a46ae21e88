using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

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

    /// <summary>
    /// With Y = α·op(A)·op(B) + β·C: dA = α·dY·op(B)ᵀ (transposed back when transA), dB = α·op(A)ᵀ·dY
    /// (transposed back when transB), dC = β·dY summed over C's broadcast axes. Each is one Gemm.
    /// </summary>
    public string?[] Gradient(GradientContext ctx)
    {
        var n = ctx.Node;
        bool ta = n.GetInt("transA", 0) != 0, tb = n.GetInt("transB", 0) != 0;
        float alpha = n.GetFloat("alpha", 1f), beta = n.GetFloat("beta", 1f);
        string dy = ctx.Dy, a = ctx.Input(0), b = ctx.Input(1);
        string GemmOf(string x, string y, bool tx, bool ty) =>
            ctx.Emit("Gemm", [x, y], Attr.Int("transA", tx ? 1 : 0), Attr.Int("transB", ty ? 1 : 0), Attr.Float("alpha", alpha));
        var result = ctx.None();
        if (ctx.Needs(0)) result[0] = ta ? GemmOf(b, dy, tb, true) : GemmOf(dy, b, false, !tb);
        if (ctx.Needs(1)) result[1] = tb ? GemmOf(dy, a, true, ta) : GemmOf(a, dy, !ta, false);
        if (ctx.Needs(2))
        {
            string dc = beta == 1f ? dy : ctx.Emit("Mul", [dy, ctx.Graph.Const(beta)]);
            result[2] = ctx.SumToShape(dc, ctx.InputInfo(2).Shape);
        }
        return result;
    }
}
