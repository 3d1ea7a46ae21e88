using SphereFace.Graphs.Autodiff;
namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Relu: element-wise, same shape as its input.</summary>
public sealed class Relu : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Relu";

    /// <summary>dx = dy where x &gt; 0, else 0.</summary>
    public override string?[] Gradient(GradientContext ctx)
    {
        var g = ctx.Graph;
        string positive = ctx.Emit("Greater", [ctx.Input(0), g.Const(0f)]);
        return [ctx.Emit("Where", [positive, ctx.Dy, g.Const(0f)])];
    }
}
