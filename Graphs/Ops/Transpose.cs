using SphereFace.Graphs.Building;
using SphereFace.Graphs.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX Transpose with a "perm" attribute (default: reverse the axes).</summary>
public sealed class Transpose : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "Transpose";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var x = inputs[0].Shape;
        var perm = node.GetInts("perm") ?? Enumerable.Range(0, x.Length).Reverse().Select(i => (long)i).ToArray();
        return [inputs[0].WithShape(perm.Select(p => x[p]).ToArray())];
    }
}
