using SphereFace.Graphs.Building;
using SphereFace.Graphs.Autodiff;
namespace SphereFace.Graphs.Ops;

/// <summary>ONNX ReduceMean over the "axes" attribute (all axes when absent), keepdims default 1.</summary>
public sealed class ReduceMean : ReduceOp
{
    /// <inheritdoc/>
    public override string OpType => "ReduceMean";

    /// <summary>dx = dy / n broadcast back over the reduced axes (n = number of reduced elements).</summary>
    public override string?[] Gradient(GradientContext ctx)
    {
        var axes = Axes(ctx);
        long n = axes.Aggregate(1L, (a, i) => a * ctx.InputInfo(0).Shape[i]);
        string scaled = ctx.Emit("Mul", [KeepDims(ctx, ctx.Dy, axes), ctx.Graph.Const(1f / n)]);
        return Data(ctx, ctx.Emit("Expand", [scaled, ctx.Graph.ConstInts(ctx.InputInfo(0).Shape)]));
    }
}
