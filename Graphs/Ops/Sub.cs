using SphereFace.Graphs.Building;
using SphereFace.Graphs.Autodiff;
namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Sub: element-wise with numpy broadcasting.</summary>
public sealed class Sub : BroadcastBinaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Sub";

    /// <summary>dA = dy, dB = −dy, each summed over the axes it was broadcast along.</summary>
    public override string?[] Gradient(GradientContext ctx) =>
    [
        ctx.Needs(0) ? ctx.SumToShape(ctx.Dy, ctx.InputInfo(0).Shape) : null,
        ctx.Needs(1) ? ctx.Emit("Neg", [ctx.SumToShape(ctx.Dy, ctx.InputInfo(1).Shape)]) : null,
    ];
}
