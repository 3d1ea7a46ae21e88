using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Concat along "axis": other axes must agree; the axis sizes add up.</summary>
public sealed class Concat : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "Concat";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var first = inputs[0].Shape;
        int axis = Shapes.Axis(node.GetInt("axis", 0), first.Length);
        var shape = (long[])first.Clone();
        shape[axis] = inputs.Select(i => i.Shape[axis]).Aggregate(0L, (a, d) => a < 0 || d < 0 ? -1 : a + d);
        foreach (var i in inputs.Skip(1))
            for (int d = 0; d < first.Length; d++)
                if (d != axis && i.Shape[d] != first[d]) throw new ArgumentException($"axis {d} differs: {i.Shape[d]} vs {first[d]}");
        return [inputs[0].WithShape(shape)];
    }
}
