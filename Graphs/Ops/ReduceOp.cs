using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>
/// Shape rule shared by the reductions. Axes come from the "axes" attribute (opset 17: ReduceMean, ReduceMax,
/// ReduceSumSquare, ReduceL2) or from a constant second input (ReduceSum since opset 13); no axes = all axes.
/// </summary>
public abstract class ReduceOp : IOpRule
{
    /// <inheritdoc/>
    public abstract string OpType { get; }

    /// <summary>True when the axes are the op's second input rather than an attribute.</summary>
    protected virtual bool AxesAsInput => false;

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var x = inputs[0].Shape;
        var axes = ReducedAxes(node, x.Length, graph);
        bool keep = node.GetInt("keepdims", 1) != 0;
        var shape = new List<long>();
        for (int i = 0; i < x.Length; i++)
            if (!axes.Contains(i)) shape.Add(x[i]);
            else if (keep) shape.Add(1);
        return [new TensorInfo(inputs[0].Type, [.. shape])];
    }

    /// <summary>The normalised reduced axes of <paramref name="node"/> (all axes when none are given).</summary>
    public int[] ReducedAxes(NodeProto node, int rank, GraphBuilder graph)
    {
        long[]? axes = AxesAsInput
            ? (node.Input.Count > 1 && node.Input[1].Length > 0
                ? graph.ConstantValue(node.Input[1]) as long[] ?? throw new ArgumentException("axes must be a constant int64 tensor")
                : null)
            : node.GetInts("axes");
        return axes is null || axes.Length == 0 ? Enumerable.Range(0, rank).ToArray() : axes.Select(a => Shapes.Axis(a, rank)).ToArray();
    }

    /// <summary>Reverse-mode rule (see <see cref="IOpRule.Gradient"/>); ops without one throw.</summary>
    public virtual string?[] Gradient(GradientContext ctx) =>
        throw new NotSupportedException($"Op '{OpType}' has no gradient rule (node '{ctx.Node.Name}').");

    /// <summary>
    /// <paramref name="reduced"/> (shaped like the node's output) reshaped to the keepdims shape, so it
    /// broadcasts against the node's input.
    /// </summary>
    protected static string KeepDims(GradientContext ctx, string reduced, int[] axes)
    {
        var x = ctx.InputInfo(0).Shape;
        var keep = x.Select((d, i) => axes.Contains(i) ? 1L : d).ToArray();
        return ctx.Graph.Info(reduced).Shape.SequenceEqual(keep) ? reduced : ctx.Emit("Reshape", [reduced, ctx.Graph.ConstInts(keep)]);
    }

    /// <summary>The normalised reduced axes of the context's node.</summary>
    protected int[] Axes(GradientContext ctx) => ReducedAxes(ctx.Node, ctx.InputInfo(0).Rank, ctx.Graph);

    /// <summary>Gradient array with <paramref name="dx"/> for the data input and none for the axes input.</summary>
    protected static string?[] Data(GradientContext ctx, string dx)
    {
        var r = ctx.None();
        r[0] = dx;
        return r;
    }
}
