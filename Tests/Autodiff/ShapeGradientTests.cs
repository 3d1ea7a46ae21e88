using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Tests.Autodiff;

/// <summary>Finite-difference checks of Gemm/MatMul, reshaping ops and reductions.</summary>
[TestClass]
public sealed class ShapeGradientTests
{
    [TestMethod]
    [DataRow(0, 0)]
    [DataRow(0, 1)]
    [DataRow(1, 0)]
    [DataRow(1, 1)]
    public void GemmTransposesAlphaBetaAndBroadcastC(int ta, int tb) =>
        new GradientCheck((ulong)(100 + ta * 2 + tb))
            .Float("a", ta == 1 ? [5, 3] : [3, 5]).Float("b", tb == 1 ? [4, 5] : [5, 4]).Float("c", [4])
            .Run(g => g.Node("Gemm", ["a", "b", "c"], [Attr.Int("transA", ta), Attr.Int("transB", tb), Attr.Float("alpha", 0.7f), Attr.Float("beta", 1.3f)]));

    [TestMethod]
    public void MatMul() => new GradientCheck(110).Float("a", [3, 5]).Float("b", [5, 2]).Run(g => g.Node("MatMul", ["a", "b"]));

    [TestMethod]
    public void FlattenReshapeTranspose() =>
        new GradientCheck(111).Float("x", [2, 3, 4]).Run(g =>
        {
            string f = g.Node("Flatten", ["x"], [Attr.Int("axis", 1)]);
            string r = g.Node("Reshape", [f, g.ConstInts(4, 6)]);
            return g.Node("Transpose", [r], [Attr.Ints("perm", 1, 0)]);
        });

    [TestMethod]
    public void UnsqueezeSqueezeExpand() =>
        new GradientCheck(112).Float("x", [3, 1]).Run(g =>
        {
            string u = g.Node("Unsqueeze", ["x", g.ConstInts(0)]);
            string s = g.Node("Squeeze", [u, g.ConstInts(0)]);
            return g.Node("Expand", [s, g.ConstInts(2, 3, 4)]);
        });

    [TestMethod]
    [DataRow("ReduceSum")]
    [DataRow("ReduceMean")]
    [DataRow("ReduceSumSquare")]
    [DataRow("ReduceL2")]
    public void Reductions(string op) =>
        new GradientCheck((ulong)op.Length).Float("x", [3, 4, 2]).Run(g => op == "ReduceSum"
            ? g.Node(op, ["x", g.ConstInts(1)], [Attr.Int("keepdims", 0)])
            : g.Node(op, ["x"], [Attr.Ints("axes", 0, 2), Attr.Int("keepdims", 1)]), eps: 1e-3);

    [TestMethod]
    public void GatherElementsWithRepeatedIndices() =>
        new GradientCheck(113).Float("x", [3, 5]).Ints("i", [3, 2], [1, 1, 4, 0, 2, 2])
            .Run(g => g.Node("GatherElements", ["x", "i"], [Attr.Int("axis", 1)]));

    [TestMethod]
    [DataRow("mean")]
    [DataRow("sum")]
    [DataRow("none")]
    public void SoftmaxCrossEntropy(string reduction) =>
        new GradientCheck(114).Float("s", [4, 6], lo: -2, hi: 2).Ints("l", [4], [0, 5, 2, 2])
            .Run(g => g.Node("SoftmaxCrossEntropyLoss", ["s", "l"], [Attr.String("reduction", reduction)]), eps: 1e-3);

    [TestMethod]
    public void SoftmaxCrossEntropyLogProbOutput() =>
        new GradientCheck(115).Float("s", [3, 4], lo: -2, hi: 2).Ints("l", [3], [1, 0, 3]).Run(g =>
        {
            var outs = g.NodeMulti("SoftmaxCrossEntropyLoss", ["s", "l"], 2);
            return g.Node("Add", [g.Node("Mul", [outs[1], g.Const(0.5f)]), outs[0]]);
        }, eps: 1e-3);
}
