using SphereFace.Graphs.Building;
using SphereFace.Graphs.Autodiff;
namespace SphereFace.Graphs.Ops;

/// <summary>ONNX ReduceL2 over the "axes" attribute (all axes when absent), keepdims default 1.</summary>
public sealed class ReduceL2 : ReduceOp
{
    /// <inheritdoc/>
    public override string OpType => "ReduceL2";

    /// <summary>dx = x·dy / y (dy / y broadcast back over the reduced axes); NaN where the norm y is 0.</summary>
    public override string?[] Gradient(GradientContext ctx)
    {
        string ratio = ctx.Emit("Div", [ctx.Dy, ctx.Output(0)]);
        return Data(ctx, ctx.Emit("Mul", [ctx.Input(0), KeepDims(ctx, ratio, Axes(ctx))]));
    }
}
