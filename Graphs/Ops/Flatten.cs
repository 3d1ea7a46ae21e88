using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Flatten: [d0..dn] → [d0·…·d(axis−1), d(axis)·…·dn].</summary>
public sealed class Flatten : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "Flatten";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var x = inputs[0].Shape;
        int axis = (int)node.GetInt("axis", 1);
        if (axis < 0) axis += x.Length;
        return [new TensorInfo(inputs[0].Type, [Shapes.Product(x.Take(axis)), Shapes.Product(x.Skip(axis))])];
    }

    /// <summary>dx = dy reshaped to x's static shape; the shape/axes input gets no gradient.</summary>
    public string?[] Gradient(GradientContext ctx)
    {
        var result = ctx.None();
        result[0] = ctx.ReshapeToInput(ctx.Dy, 0);
        return result;
    }
}
