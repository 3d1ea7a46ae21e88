using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;

namespace SphereFace.Tests.Autodiff;

/// <summary>Engine behaviour: accumulation over several uses, stop-gradient, pruning, errors.</summary>
[TestClass]
public sealed class ReverseModeTests
{
    [TestMethod]
    public void ValueUsedSeveralTimesAccumulates() =>
        new GradientCheck(201).Float("x", [3, 4]).Float("w", [4]).Run(g =>
        {
            string sq = g.Node("Mul", ["x", "x"]);
            string scaled = g.Node("Mul", [sq, "w"]);
            return g.Node("Add", [g.Node("Add", [scaled, "x"]), g.Node("Exp", ["w"])]);
        }, eps: 1e-3);

    [TestMethod]
    public void StopGradientBlocksFlow()
    {
        // loss = Σ x · stop(x): the gradient is stop(x) = x, not 2x.
        var g = new GraphBuilder("stop");
        g.Input("x", ElementType.Float, 5);
        string stopped = g.Node("Identity", ["x"], name: "centres" + ReverseMode.StopGradientSuffix);
        string loss = g.Node("ReduceSum", [g.Node("Mul", ["x", stopped]), g.ConstInts(0)], [Attr.Int("keepdims", 0)]);
        var grads = ReverseMode.Differentiate(g, loss, ["x"]);
        g.Output(grads["x"]!, "dx");
        var x = new[] { 0.5f, -1f, 2f, 3f, -0.25f };
        using var model = new OrtModel(g.ToModel());
        var dx = model.Run(new Dictionary<string, (long[], Array)> { ["x"] = ([5], x) }, ["dx"])[0];
        for (int i = 0; i < x.Length; i++) Assert.AreEqual(x[i], dx[i], 1e-6, $"dx[{i}]");
    }

    [TestMethod]
    public void UnreachedValuesGetNullAndPrunedBranchesNeedNoRule()
    {
        var g = new GraphBuilder("prune");
        g.Input("a", ElementType.Float, 3);
        g.Input("b", ElementType.Float, 3);
        // Floor has no gradient rule: it sits on a branch of a that does not reach the loss, and on b's branch.
        g.Output(g.Node("Floor", ["a"]), "side");
        string bOnly = g.Node("Floor", ["b"]);
        string loss = g.Node("ReduceSum", [g.Node("Mul", ["a", "a"]), g.ConstInts(0)], [Attr.Int("keepdims", 0)]);
        int before = g.Nodes.Count;
        var grads = ReverseMode.Differentiate(g, loss, ["a", "b"]);
        Assert.IsNotNull(grads["a"]);
        Assert.IsNull(grads["b"]);
        Assert.IsFalse(g.Nodes.Skip(before).Any(n => n.Input.Contains(bOnly)), "a backward node uses the pruned branch");
    }

    [TestMethod]
    public void MissingRuleOnThePathNamesTheNode()
    {
        var g = new GraphBuilder("norule");
        g.Input("a", ElementType.Float, 3);
        string floor = g.Node("Floor", ["a"]);
        string loss = g.Node("ReduceSum", [floor, g.ConstInts(0)], [Attr.Int("keepdims", 0)]);
        var e = Assert.ThrowsExactly<NotSupportedException>(() => ReverseMode.Differentiate(g, loss, ["a"]));
        StringAssert.Contains(e.Message, floor);
    }

    [TestMethod]
    public void NonScalarLossIsRejected()
    {
        var g = new GraphBuilder("vector");
        g.Input("a", ElementType.Float, 3);
        string y = g.Node("Neg", ["a"]);
        Assert.ThrowsExactly<GraphBuildException>(() => ReverseMode.Differentiate(g, y, ["a"]));
    }
}
