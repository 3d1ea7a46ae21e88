using SphereFace.Graphs.Autodiff;
namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Identity: element-wise, same shape as its input.</summary>
public sealed class Identity : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Identity";

    /// <summary>dx = dy. A stop-gradient Identity never reaches this rule (the engine skips it).</summary>
    public override string?[] Gradient(GradientContext ctx) => [ctx.Dy];
}
