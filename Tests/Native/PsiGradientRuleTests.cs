using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Models.Native;
using SphereFace.Graphs.Ops;
using SphereFace.Graphs.Parameters;
using SphereFace.Models.Onnx;

namespace SphereFace.Tests.Native;

[TestClass]
public sealed class PsiGradientRuleTests
{
    [TestMethod]
    public void GradientRuleEmitsPsiGradMatchingTheTwinGradient()
    {
        for (int m = 1; m <= 4; m++)
        {
            var g = new GraphBuilder("rule");
            string x = g.Input("x", ElementType.Float, 64);
            string dy = g.Input("dy", ElementType.Float, 64);
            string psi = g.Node(MarginPlugin.PsiOp, [x], [Attr.Int("m", m)], domain: MarginPlugin.Domain);
            var node = g.Nodes[^1];
            var ctx = new GradientContext(g, node, [dy], [true]);
            string?[] grads = OpRegistry.Get(MarginPlugin.PsiOp, MarginPlugin.Domain).Gradient(ctx);
            Assert.HasCount(1, grads);
            var gradNode = g.Nodes[^1];
            Assert.AreEqual(MarginPlugin.PsiGradOp, gradNode.OpType);
            Assert.AreEqual(MarginPlugin.Domain, gradNode.Domain);
            g.Output(psi, "psi");
            g.Output(grads[0]!, "dx");

            var rng = new SeededRandom((ulong)m);
            float[] xs = Enumerable.Range(0, 64).Select(_ => (float)rng.Uniform(-1, 1)).ToArray();
            float[] dys = Enumerable.Range(0, 64).Select(_ => (float)rng.Uniform(-1, 1)).ToArray();
            using var s = new GraphSession(g.ToModel(), plugin: true);
            float[] dx = s.Run(("x", xs, [64]), ("dy", dys, [64]))["dx"];
            float[] twin = PsiGraphs.RunBackward(m, plugin: false, xs, dys);
            CollectionAssert.AreEqual(twin, dx, $"m={m}");
        }
    }

    [TestMethod]
    public void NoGradientWhenNoneFlowsIn()
    {
        var g = new GraphBuilder("rule");
        string x = g.Input("x", ElementType.Float, 4);
        g.Node(MarginPlugin.PsiOp, [x], [Attr.Int("m", 2)], domain: MarginPlugin.Domain);
        int before = g.Nodes.Count;
        var grads = OpRegistry.Get(MarginPlugin.PsiOp, MarginPlugin.Domain).Gradient(new GradientContext(g, g.Nodes[^1], [null], [true]));
        Assert.IsNull(grads[0]);
        Assert.AreEqual(before, g.Nodes.Count);
    }
}
