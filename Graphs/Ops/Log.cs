using SphereFace.Graphs.Autodiff;
namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Log: element-wise, same shape as its input.</summary>
public sealed class Log : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Log";

    /// <summary>dx = dy / x.</summary>
    public override string?[] Gradient(GradientContext ctx) => [ctx.Emit("Div", [ctx.Dy, ctx.Input(0)])];
}
