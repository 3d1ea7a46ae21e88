using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Reshape with a constant shape input (0 copies the input dimension, one −1 is inferred).</summary>
public sealed class Reshape : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "Reshape";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        if (graph.ConstantValue(node.Input[1]) is not long[] target)
            throw new ArgumentException("Reshape needs a constant int64 shape");
        var x = inputs[0].Shape;
        var shape = target.Select((d, i) => d == 0 ? x[i] : d).ToArray();
        int infer = Array.IndexOf(shape, -1L);
        long total = Shapes.Product(x);
        if (infer >= 0 && total >= 0)
        {
            long known = Shapes.Product(shape.Where((_, i) => i != infer));
            shape[infer] = total / known;
        }
        return [new TensorInfo(inputs[0].Type, shape)];
    }

    /// <summary>dx = dy reshaped to x's static shape; the shape/axes input gets no gradient.</summary>
    public string?[] Gradient(GradientContext ctx)
    {
        var result = ctx.None();
        result[0] = ctx.ReshapeToInput(ctx.Dy, 0);
        return result;
    }
}
