using SphereFace.Graphs.Export;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Parameters;

namespace SphereFace.Tests.Foundation;

[TestClass]
public sealed class NetParameterCountTests
{
    // Backbone sizes from the SphereFace paper's Table 2 nets (as restated in the foundation issue).
    [TestMethod]
    [DataRow(4, 12.56e6)]
    [DataRow(20, 22.67e6)]
    [DataRow(64, 48.19e6)]
    public void BackboneSizeMatchesThePaper(int depth, double expected)
    {
        var store = new ParameterStore(1);
        EmbeddingGraph.Build(new SphereNetConfig(depth), store);
        double relative = Math.Abs(store.TotalCount - expected) / expected;
        Assert.IsTrue(relative < 0.005, $"sphere{depth}: {store.TotalCount} parameters, expected ≈ {expected} (off by {relative:P2})");
    }

    [TestMethod]
    public void ParameterCountEqualsClosedFormOfTable2()
    {
        // Independent count from the architecture description: stage-opening conv with bias + PReLU,
        // residual units of two bias-free 3×3 convs with PReLUs, FC 512·7·6 → 512 with bias.
        foreach (var (depth, units) in SphereNetConfig.UnitsByDepth)
        {
            long expected = 0, cin = 3;
            for (int s = 0; s < 4; s++)
            {
                long c = SphereNetConfig.Widths[s];
                expected += c * cin * 9 + c + c;
                expected += units[s] * 2 * (c * c * 9 + c);
                cin = c;
            }
            expected += 512L * 512 * 7 * 6 + 512;
            var store = new ParameterStore(3);
            EmbeddingGraph.Build(new SphereNetConfig(depth), store);
            Assert.AreEqual(expected, store.TotalCount, $"sphere{depth}");
        }
    }

    [TestMethod]
    public void InitialisationFollowsTheCaffePrototxt()
    {
        var store = new ParameterStore(7);
        EmbeddingGraph.Build(new SphereNetConfig(10), store);
        var w = store["conv1_1/weight"].Data;
        double bound = Math.Sqrt(3.0 / (3 * 9));
        Assert.IsTrue(w.All(v => Math.Abs(v) <= bound), "Xavier weights exceed ±sqrt(3/fan_in)");
        Assert.IsTrue(w.Max() > 0.8 * bound && w.Min() < -0.8 * bound, "Xavier weights do not span the range");
        Assert.IsTrue(store["conv1_1/bias"].Data.All(v => v == 0f));
        Assert.AreEqual(2f, store["conv1_1/bias"].LrMult);
        Assert.AreEqual(0f, store["conv1_1/bias"].DecayMult);
        var res = store["conv2_2/weight"].Data.Select(v => (double)v).ToArray();
        double std = Math.Sqrt(res.Select(v => v * v).Average());
        Assert.AreEqual(0.01, std, 0.0005, "residual conv std");
        Assert.IsFalse(store.Contains("conv2_2/bias"), "residual convs have no bias");
        Assert.IsTrue(store["relu2_2/slope"].Data.All(v => v == 0.25f));
        CollectionAssert.AreEqual(new long[] { 128, 1, 1 }, store["relu2_2/slope"].Shape);
    }
}
