using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX ArgMax along "axis" (default 0), keepdims default 1; int64 result.</summary>
public sealed class ArgMax : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "ArgMax";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var x = inputs[0].Shape;
        int axis = Shapes.Axis(node.GetInt("axis", 0), x.Length);
        bool keep = node.GetInt("keepdims", 1) != 0;
        var shape = x.Select((d, i) => i == axis ? (keep ? 1 : -2) : d).Where(d => d != -2).ToArray();
        return [new TensorInfo(ElementType.Int64, shape)];
    }

    /// <summary>Not differentiable (integer output).</summary>
    public string?[] Gradient(GradientContext ctx) => ctx.None();
}
