using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Clip (opset 11+): optional scalar min and max inputs; same shape as the input.</summary>
public sealed class Clip : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "Clip";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph) => [inputs[0]];

    /// <summary>dx = dy where min ≤ x ≤ max (bounds that are absent do not clip); the bounds get no gradient.</summary>
    public string?[] Gradient(GradientContext ctx)
    {
        string? inside = null;
        if (ctx.HasInput(1)) inside = ctx.Emit("GreaterOrEqual", [ctx.Input(0), ctx.Input(1)]);
        if (ctx.HasInput(2))
        {
            string below = ctx.Emit("LessOrEqual", [ctx.Input(0), ctx.Input(2)]);
            inside = inside is null ? below : ctx.Emit("And", [inside, below]);
        }
        var result = ctx.None();
        result[0] = inside is null ? ctx.Dy : ctx.Emit("Where", [inside, ctx.Dy, ctx.Graph.Const(0f)]);
        return result;
    }
}
