using SphereFace.Graphs.Building;
using SphereFace.Graphs.Autodiff;
using SphereFace.Models.Onnx;
namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Softmax: same type and shape as its input.</summary>
public sealed class Softmax : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "Softmax";

    /// <summary>dx = y·(dy − Σ_axis dy·y).</summary>
    public override string?[] Gradient(GradientContext ctx)
    {
        string y = ctx.Output(0);
        long axis = ctx.Node.GetInt("axis", -1);
        string dot = ctx.Emit("ReduceSum", [ctx.Emit("Mul", [ctx.Dy, y]), ctx.Graph.ConstInts(axis)], Attr.Int("keepdims", 1));
        return [ctx.Emit("Mul", [y, ctx.Emit("Sub", [ctx.Dy, dot])])];
    }
}
