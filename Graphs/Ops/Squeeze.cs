using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Squeeze (opset 13+): removes the size-1 axes given by a constant int64 second input (all size-1 axes when absent).</summary>
public sealed class Squeeze : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "Squeeze";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var x = inputs[0].Shape;
        var axes = node.Input.Count > 1
            ? (graph.ConstantValue(node.Input[1]) as long[] ?? throw new ArgumentException("axes must be a constant int64 tensor")).Select(a => Shapes.Axis(a, x.Length)).ToHashSet()
            : Enumerable.Range(0, x.Length).Where(i => x[i] == 1).ToHashSet();
        foreach (var a in axes)
            if (x[a] != 1) throw new ArgumentException($"axis {a} has size {x[a]}, not 1");
        return [inputs[0].WithShape(x.Where((_, i) => !axes.Contains(i)).ToArray())];
    }

    /// <summary>dx = dy reshaped to x's static shape; the shape/axes input gets no gradient.</summary>
    public string?[] Gradient(GradientContext ctx)
    {
        var result = ctx.None();
        result[0] = ctx.ReshapeToInput(ctx.Dy, 0);
        return result;
    }
}
