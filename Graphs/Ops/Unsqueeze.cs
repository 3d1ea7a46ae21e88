using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Unsqueeze (opset 13+): inserts size-1 axes given by a constant int64 second input.</summary>
public sealed class Unsqueeze : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "Unsqueeze";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var axes = graph.ConstantValue(node.Input[1]) as long[] ?? throw new ArgumentException("axes must be a constant int64 tensor");
        int rank = inputs[0].Rank + axes.Length;
        var norm = axes.Select(a => Shapes.Axis(a, rank)).ToHashSet();
        var shape = new long[rank];
        int src = 0;
        for (int i = 0; i < rank; i++) shape[i] = norm.Contains(i) ? 1 : inputs[0].Shape[src++];
        return [inputs[0].WithShape(shape)];
    }

    /// <summary>dx = dy reshaped to x's static shape; the shape/axes input gets no gradient.</summary>
    public string?[] Gradient(GradientContext ctx)
    {
        var result = ctx.None();
        result[0] = ctx.ReshapeToInput(ctx.Dy, 0);
        return result;
    }
}
