using SphereFace.Graphs.Building;
using SphereFace.Graphs.Autodiff;
namespace SphereFace.Graphs.Ops;

/// <summary>ONNX ReduceSum (opset 13+): axes as a constant int64 second input (all axes when absent), keepdims default 1.</summary>
public sealed class ReduceSum : ReduceOp
{
    /// <inheritdoc/>
    public override string OpType => "ReduceSum";

    /// <inheritdoc/>
    protected override bool AxesAsInput => true;

    /// <summary>dx = dy broadcast back over the reduced axes.</summary>
    public override string?[] Gradient(GradientContext ctx) =>
        Data(ctx, ctx.Emit("Expand", [KeepDims(ctx, ctx.Dy, Axes(ctx)), ctx.Graph.ConstInts(ctx.InputInfo(0).Shape)]));
}
