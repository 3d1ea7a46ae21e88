using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX PRelu: y = x for x ≥ 0, slope·x otherwise; slope broadcasts unidirectionally to x (per channel: [C,1,1]).</summary>
public sealed class PRelu : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "PRelu";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var shape = Shapes.Broadcast(inputs[0].Shape, inputs[1].Shape);
        if (!shape.SequenceEqual(inputs[0].Shape)) throw new ArgumentException("slope must broadcast to the input's shape");
        return [inputs[0]];
    }

    /// <summary>
    /// dx = dy where x &gt; 0, slope·dy elsewhere; dslope = Σ dy·min(x, 0) over the axes the slope is
    /// broadcast along (batch and spatial axes for per-channel slopes).
    /// </summary>
    public string?[] Gradient(GradientContext ctx)
    {
        var g = ctx.Graph;
        string x = ctx.Input(0), dy = ctx.Dy;
        var result = ctx.None();
        if (ctx.Needs(0))
        {
            string positive = ctx.Emit("Greater", [x, g.Const(0f)]);
            result[0] = ctx.Emit("Where", [positive, dy, ctx.Emit("Mul", [dy, ctx.Input(1)])]);
        }
        if (ctx.Needs(1))
            result[1] = ctx.SumToShape(ctx.Emit("Mul", [dy, ctx.Emit("Min", [x, g.Const(0f)])]), ctx.InputInfo(1).Shape);
        return result;
    }
}
