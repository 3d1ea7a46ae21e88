using SphereFace.Graphs.Building;
using SphereFace.Graphs.Autodiff;
namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Min of two inputs with numpy broadcasting.</summary>
public sealed class Min : BroadcastBinaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Min";

    /// <summary>The gradient goes to A where A ≤ B (ties go to A), to B elsewhere; each summed over its broadcast axes.</summary>
    public override string?[] Gradient(GradientContext ctx)
    {
        var g = ctx.Graph;
        string pickA = ctx.Emit("LessOrEqual", [ctx.Input(0), ctx.Input(1)]);
        string dy = ctx.Dy;
        return
        [
            ctx.Needs(0) ? ctx.SumToShape(ctx.Emit("Where", [pickA, dy, g.Const(0f)]), ctx.InputInfo(0).Shape) : null,
            ctx.Needs(1) ? ctx.SumToShape(ctx.Emit("Where", [pickA, g.Const(0f), dy]), ctx.InputInfo(1).Shape) : null,
        ];
    }
}
