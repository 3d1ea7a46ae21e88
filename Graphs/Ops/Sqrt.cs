using SphereFace.Graphs.Autodiff;
namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Sqrt: element-wise, same shape as its input.</summary>
public sealed class Sqrt : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Sqrt";

    /// <summary>dx = dy / (2·y); infinite at x = 0.</summary>
    public override string?[] Gradient(GradientContext ctx) =>
        [ctx.Emit("Div", [ctx.Emit("Mul", [ctx.Dy, ctx.Graph.Const(0.5f)]), ctx.Output(0)])];
}
