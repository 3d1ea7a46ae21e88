using SphereFace.Graphs.Building;
using SphereFace.Graphs.Autodiff;
namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Div: element-wise with numpy broadcasting.</summary>
public sealed class Div : BroadcastBinaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Div";

    /// <summary>dA = dy / B, dB = −dy·y / B (y = A / B), each summed over its broadcast axes. Infinite where B = 0.</summary>
    public override string?[] Gradient(GradientContext ctx) =>
    [
        ctx.Needs(0) ? ctx.SumToShape(ctx.Emit("Div", [ctx.Dy, ctx.Input(1)]), ctx.InputInfo(0).Shape) : null,
        ctx.Needs(1)
            ? ctx.SumToShape(ctx.Emit("Neg", [ctx.Emit("Div", [ctx.Emit("Mul", [ctx.Dy, ctx.Output(0)]), ctx.Input(1)])]), ctx.InputInfo(1).Shape)
            : null,
    ];
}
