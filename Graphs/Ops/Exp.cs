using SphereFace.Graphs.Autodiff;
namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Exp: element-wise, same shape as its input.</summary>
public sealed class Exp : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Exp";

    /// <summary>dx = dy·y.</summary>
    public override string?[] Gradient(GradientContext ctx) => [ctx.Emit("Mul", [ctx.Dy, ctx.Output(0)])];
}
