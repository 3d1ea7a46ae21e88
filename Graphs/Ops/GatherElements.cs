using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX GatherElements(data, indices, axis): output has the indices' shape and the data's type.</summary>
public sealed class GatherElements : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "GatherElements";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        if (inputs[0].Rank != inputs[1].Rank) throw new ArgumentException("data and indices must have the same rank");
        return [new TensorInfo(inputs[0].Type, inputs[1].Shape)];
    }

    /// <summary>ddata = dy scattered (with addition, so repeated indices accumulate) into zeros of data's shape; none for the indices.</summary>
    public string?[] Gradient(GradientContext ctx)
    {
        var g = ctx.Graph;
        var shape = ctx.InputInfo(0).Shape;
        string zeros = ctx.Emit("Expand", [g.Const(0f), g.ConstInts(shape)]);
        long axis = ctx.Node.GetInt("axis", 0);
        return [ctx.Emit("ScatterElements", [zeros, ctx.Input(1), ctx.Dy], Attr.Int("axis", axis), Attr.String("reduction", "add")), null];
    }
}
