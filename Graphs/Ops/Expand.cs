using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Expand(input, shape) with a constant int64 shape: broadcast of the two.</summary>
public sealed class Expand : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "Expand";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var shape = graph.ConstantValue(node.Input[1]) as long[] ?? throw new ArgumentException("shape must be a constant int64 tensor");
        return [inputs[0].WithShape(Shapes.Broadcast(inputs[0].Shape, shape))];
    }

    /// <summary>dx = dy summed over the expanded axes.</summary>
    public string?[] Gradient(GradientContext ctx) => [ctx.SumToShape(ctx.Dy, ctx.InputInfo(0).Shape), null];
}
