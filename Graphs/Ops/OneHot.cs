using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX OneHot(indices, depth, values), axis default −1: a constant depth D appends an axis of size D; values' type.</summary>
public sealed class OneHot : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "OneHot";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        long depth = graph.ConstantValue(node.Input[1]) switch
        {
            long[] l => l[0],
            float[] f => (long)f[0],
            _ => throw new ArgumentException("depth must be a constant"),
        };
        var x = inputs[0].Shape.ToList();
        int axis = (int)node.GetInt("axis", -1);
        if (axis < 0) axis += x.Count + 1;
        x.Insert(axis, depth);
        return [new TensorInfo(inputs[2].Type, [.. x])];
    }
}
