using SphereFace.Graphs.Building;
using SphereFace.Graphs.Autodiff;
using SphereFace.Models.Onnx;
namespace SphereFace.Graphs.Ops;

/// <summary>ONNX LogSoftmax: same type and shape as its input.</summary>
public sealed class LogSoftmax : UnaryOp
{
    /// <inheritdoc/>
    public override string OpType => "LogSoftmax";

    /// <summary>dx = dy − softmax(x)·Σ_axis dy, with softmax(x) = exp(y).</summary>
    public override string?[] Gradient(GradientContext ctx)
    {
        long axis = ctx.Node.GetInt("axis", -1);
        string total = ctx.Emit("ReduceSum", [ctx.Dy, ctx.Graph.ConstInts(axis)], Attr.Int("keepdims", 1));
        string p = ctx.Emit("Exp", [ctx.Output(0)]);
        return [ctx.Emit("Sub", [ctx.Dy, ctx.Emit("Mul", [p, total])])];
    }
}
