using SphereFace.Graphs.Building;
using SphereFace.Graphs.Autodiff;
namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Add: element-wise with numpy broadcasting.</summary>
public sealed class Add : BroadcastBinaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Add";

    /// <summary>dA = dy, dB = dy, each summed over the axes it was broadcast along.</summary>
    public override string?[] Gradient(GradientContext ctx) =>
    [
        ctx.Needs(0) ? ctx.SumToShape(ctx.Dy, ctx.InputInfo(0).Shape) : null,
        ctx.Needs(1) ? ctx.SumToShape(ctx.Dy, ctx.InputInfo(1).Shape) : null,
    ];
}
