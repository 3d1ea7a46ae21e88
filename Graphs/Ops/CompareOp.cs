using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>Shape rule of the broadcasting comparisons and logical ops: bool output of the broadcast shape.</summary>
public abstract class CompareOp : BroadcastBinaryOp
{
    /// <inheritdoc/>
    public override TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph) =>
        [new TensorInfo(ElementType.Bool, base.Infer(node, inputs, graph)[0].Shape)];
}
