using SphereFace.Graphs.Building;
using SphereFace.Graphs.Autodiff;
namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Pow of two inputs with numpy broadcasting.</summary>
public sealed class Pow : BroadcastBinaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Pow";

    /// <summary>
    /// dA = dy·p·A^(p−1) for an exponent p that needs no gradient (a constant in practice). A gradient with
    /// respect to the exponent is not supported (the graphs only raise to constant powers).
    /// </summary>
    public override string?[] Gradient(GradientContext ctx)
    {
        if (ctx.Needs(1)) throw new NotSupportedException($"Pow '{ctx.Node.Name}': no gradient with respect to the exponent.");
        if (!ctx.Needs(0)) return ctx.None();
        var g = ctx.Graph;
        string p = ctx.Input(1);
        string pMinus1 = g.ConstantValue(p) is float[] c
            ? g.Const(c.Select(v => v - 1f).ToArray(), g.Info(p).Shape)
            : ctx.Emit("Sub", [p, g.Const(1f)]);
        string local = ctx.Emit("Mul", [p, ctx.Emit("Pow", [ctx.Input(0), pMinus1])]);
        return [ctx.SumToShape(ctx.Emit("Mul", [ctx.Dy, local]), ctx.InputInfo(0).Shape), null];
    }
}
