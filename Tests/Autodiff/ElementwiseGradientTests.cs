using SphereFace.Graphs.Building;

namespace SphereFace.Tests.Autodiff;

/// <summary>Finite-difference checks of the element-wise rules, with broadcasting.</summary>
[TestClass]
public sealed class ElementwiseGradientTests
{
    private static void Binary(string op, long[] a, long[] b, ulong seed, double lo = -1, double hi = 1) =>
        new GradientCheck(seed).Float("a", a, lo: lo, hi: hi).Float("b", b, lo: lo, hi: hi).Run(g => g.Node(op, ["a", "b"]));

    [TestMethod] public void AddBroadcastsBothWays() => Binary("Add", [3, 1, 4], [2, 1], 11);
    [TestMethod] public void AddPerChannelBias() => Binary("Add", [2, 3, 4, 5], [3, 1, 1], 12);
    [TestMethod] public void SubBroadcast() => Binary("Sub", [4], [3, 4], 13);
    [TestMethod] public void MulBroadcast() => Binary("Mul", [2, 3, 4], [1, 3, 1], 14);
    [TestMethod] public void DivBroadcast() => Binary("Div", [3, 4], [3, 1], 15, lo: 0.5, hi: 2);
    [TestMethod] public void MaxBroadcast() => Binary("Max", [3, 4], [4], 16);
    [TestMethod] public void MinBroadcast() => Binary("Min", [3, 4], [3, 1], 17);

    [TestMethod]
    public void PowWithConstantExponent() =>
        new GradientCheck(18).Float("a", [3, 4], lo: 0.5, hi: 2).Run(g => g.Node("Pow", ["a", g.Const(3f)]), eps: 1e-3);

    [TestMethod]
    public void PReluInputAndSlope() =>
        new GradientCheck(19).Float("x", [2, 3, 4, 5], awayFromZero: 0.05).Float("slope", [3, 1, 1])
            .Run(g => g.Node("PRelu", ["x", "slope"]), eps: 1e-2);

    [TestMethod]
    [DataRow("Relu", -1.0, 1.0)]
    [DataRow("Neg", -1.0, 1.0)]
    [DataRow("Identity", -1.0, 1.0)]
    [DataRow("Sqrt", 0.5, 2.0)]
    [DataRow("Exp", -1.0, 1.0)]
    [DataRow("Log", 0.5, 2.0)]
    [DataRow("Softmax", -2.0, 2.0)]
    [DataRow("LogSoftmax", -2.0, 2.0)]
    public void Unary(string op, double lo, double hi) =>
        new GradientCheck((ulong)op.Length * 31).Float("x", [3, 5], lo: lo, hi: hi, awayFromZero: op == "Relu" ? 0.05 : 0)
            .Run(g => g.Node(op, ["x"]), eps: 1e-3);

    [TestMethod]
    public void ClipInsideAndOutside() =>
        new GradientCheck(20).Float("x", [4, 6], lo: -2, hi: 2)
            .Run(g => g.Node("Clip", ["x", g.Const(-0.9f), g.Const(0.8f)]), eps: 1e-3, coordinates: 12);

    [TestMethod]
    public void WhereOnXAndY() =>
        new GradientCheck(21).Float("x", [3, 4]).Float("y", [4])
            .Run(g => g.Node("Where", [g.Node("Greater", ["x", g.Const(0f)]), "x", "y"]), eps: 1e-3);
}
