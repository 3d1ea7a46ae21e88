using SphereFace.Graphs.Building;
using SphereFace.Models.Native;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops.Dnnl;

/// <summary>
/// <c>ai.sphereface.dnnl.Gemm</c>(A, B, C?) → Y: ONNX Gemm — Y = alpha·A'·B' + beta·C with A' = Aᵀ when transA,
/// B' = Bᵀ when transB, C broadcast to [M,N] — computed by oneDNN's matmul. Same inputs, attributes and shapes as
/// ONNX Gemm; a graph gets it from <see cref="GemmLowering"/> after differentiation, so it has no gradient rule.
/// </summary>
public sealed class DnnlGemm : IOpRule
{
    private static readonly Gemm Standard = new();

    /// <inheritdoc/>
    public string OpType => DnnlPlugin.GemmOp;

    /// <inheritdoc/>
    public string Domain => DnnlPlugin.Domain;

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph) => Standard.Infer(node, inputs, graph);
}
