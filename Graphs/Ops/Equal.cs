using SphereFace.Graphs.Autodiff;
namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Equal: element-wise with broadcasting, bool result.</summary>
public sealed class Equal : CompareOp
{
    /// <inheritdoc/>
    public override string OpType => "Equal";

    /// <summary>Not differentiable (boolean output).</summary>
    public override string?[] Gradient(GradientContext ctx) => ctx.None();
}
