using SphereFace.Graphs.Optimizers;

namespace SphereFace.Tests.TrainStep;

/// <summary>The multistep schedule against Caffe's formula base·γ^⌊passed milestones⌋.</summary>
[TestClass]
public sealed class MultiStepLrTests
{
    [TestMethod]
    public void PaperScheduleDropsAtMilestones()
    {
        var s = new MultiStepLr();
        foreach (var (it, expected) in new[] { (0, 0.1), (15_999, 0.1), (16_000, 0.01), (23_999, 0.01), (24_000, 0.001), (27_999, 0.001) })
            Assert.AreEqual(expected, s.At(it), 1e-12 * expected, $"iteration {it}");
        Assert.IsFalse(s.IsFinished(27_999));
        Assert.IsTrue(s.IsFinished(28_000));
    }

    [TestMethod]
    public void CustomScheduleAndValidation()
    {
        var s = new MultiStepLr(0.5, 0.5, [10, 20, 30], 40);
        Assert.AreEqual(0.5 * Math.Pow(0.5, 3), s.At(35), 1e-15);
        Assert.ThrowsExactly<ArgumentException>(() => new MultiStepLr(0.1, 0.1, [20, 10]));
        Assert.ThrowsExactly<ArgumentException>(() => new MultiStepLr(-1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => s.At(-1));
    }
}
