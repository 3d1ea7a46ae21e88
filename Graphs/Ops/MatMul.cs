using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Ops;

/// <summary>ONNX MatMul for 2-D operands: [M,K]·[K,N] → [M,N].</summary>
public sealed class MatMul : IOpRule
{
    /// <inheritdoc/>
    public string OpType => "MatMul";

    /// <inheritdoc/>
    public TensorInfo[] Infer(NodeProto node, IReadOnlyList<TensorInfo> inputs, GraphBuilder graph)
    {
        var a = inputs[0].Shape;
        var b = inputs[1].Shape;
        if (a.Length != 2 || b.Length != 2) throw new ArgumentException("only 2-D MatMul is supported");
        if (a[1] != b[0]) throw new ArgumentException($"inner dimensions differ: {a[1]} vs {b[0]}");
        return [new TensorInfo(inputs[0].Type, [a[0], b[1]])];
    }

    /// <summary>dA = dY·Bᵀ, dB = Aᵀ·dY (2-D), each one Gemm.</summary>
    public string?[] Gradient(GradientContext ctx) =>
    [
        ctx.Needs(0) ? ctx.Emit("Gemm", [ctx.Dy, ctx.Input(1)], Attr.Int("transB", 1)) : null,
        ctx.Needs(1) ? ctx.Emit("Gemm", [ctx.Input(0), ctx.Dy], Attr.Int("transA", 1)) : null,
    ];
}
