using SphereFace.Graphs.Building;
using SphereFace.Graphs.Autodiff;
namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Mul: element-wise with numpy broadcasting.</summary>
public sealed class Mul : BroadcastBinaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Mul";

    /// <summary>dA = dy·B, dB = dy·A, each summed over the axes it was broadcast along.</summary>
    public override string?[] Gradient(GradientContext ctx) =>
    [
        ctx.Needs(0) ? ctx.SumToShape(ctx.Emit("Mul", [ctx.Dy, ctx.Input(1)]), ctx.InputInfo(0).Shape) : null,
        ctx.Needs(1) ? ctx.SumToShape(ctx.Emit("Mul", [ctx.Dy, ctx.Input(0)]), ctx.InputInfo(1).Shape) : null,
    ];
}
