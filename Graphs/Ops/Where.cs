using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Where(condition, x, y): broadcast of all three shapes, x's element type.</summary>
public sealed class Where : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "Where";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        if (inputs[0].Type != ElementType.Bool) throw new ArgumentException("condition must be bool");
        Shapes.SameType(inputs[1], inputs[2]);
        return [new TensorInfo(inputs[1].Type, Shapes.Broadcast(inputs[0].Shape, Shapes.Broadcast(inputs[1].Shape, inputs[2].Shape)))];
    }

    /// <summary>dx = dy where the condition holds, dy' = dy elsewhere, each summed over its broadcast axes; none for the condition.</summary>
    public string?[] Gradient(GradientContext ctx)
    {
        var g = ctx.Graph;
        string c = ctx.Input(0), dy = ctx.Dy;
        return
        [
            null,
            ctx.Needs(1) ? ctx.SumToShape(ctx.Emit("Where", [c, dy, g.Const(0f)]), ctx.InputInfo(1).Shape) : null,
            ctx.Needs(2) ? ctx.SumToShape(ctx.Emit("Where", [c, g.Const(0f), dy]), ctx.InputInfo(2).Shape) : null,
        ];
    }
}
