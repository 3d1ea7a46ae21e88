using SphereFace.Graphs.Building;
using SphereFace.Graphs.Autodiff;
namespace SphereFace.Graphs.Ops;

/// <summary>ONNX ReduceSumSquare over the "axes" attribute (all axes when absent), keepdims default 1.</summary>
public sealed class ReduceSumSquare : ReduceOp
{
    /// <inheritdoc/>
    public override string OpType => "ReduceSumSquare";

    /// <summary>dx = 2·x·dy (dy broadcast back over the reduced axes).</summary>
    public override string?[] Gradient(GradientContext ctx)
    {
        string twice = ctx.Emit("Mul", [KeepDims(ctx, ctx.Dy, Axes(ctx)), ctx.Graph.Const(2f)]);
        return Data(ctx, ctx.Emit("Mul", [ctx.Input(0), twice]));
    }
}
