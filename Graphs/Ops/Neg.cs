using SphereFace.Graphs.Autodiff;
namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Neg: element-wise, same shape as its input.</summary>
public sealed class Neg : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Neg";

    /// <summary>dx = −dy.</summary>
    public override string?[] Gradient(GradientContext ctx) => [ctx.Emit("Neg", [ctx.Dy])];
}
