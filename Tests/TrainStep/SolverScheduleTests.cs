using SphereFace.Graphs.TrainStep;
using SphereFace.Models.Errors;

namespace SphereFace.Tests.TrainStep;

/// <summary>The solver's multistep schedule against Caffe's formula base·γ^(milestones passed), in double.</summary>
[TestClass]
public sealed class SolverScheduleTests
{
    [TestMethod]
    public void ThePapersScheduleDropsAtItsMilestones()
    {
        // The spec stores base_lr and lr_gamma as float32: 0.1f is 0.1 within 1.5e-8 relative.
        var s = new SolverSpec { BaseLr = 0.1f };
        foreach (var (it, expected) in new[] { (0, 0.1), (15_999, 0.1), (16_000, 0.01), (23_999, 0.01), (24_000, 0.001), (27_999, 0.001) })
            Assert.AreEqual(expected, s.LearningRateAt(it), 1e-6 * expected, $"iteration {it}");
    }

    [TestMethod]
    public void ACustomScheduleFollowsTheFormulaAndBadFieldsAreNamed()
    {
        var s = new SolverSpec { BaseLr = 0.5f, LrGamma = 0.5f, LrSteps = [10, 20, 30], Iterations = 40 };
        Assert.AreEqual(0.5 * Math.Pow(0.5, 3), s.LearningRateAt(35), 1e-15);
        Assert.AreEqual(0.5, s.LearningRateAt(9), 1e-15);
        Assert.AreEqual("solver.lr_steps", Assert.ThrowsExactly<RunSpecException>(() => (s with { LrSteps = [20, 10] }).Validate()).Field);
        Assert.AreEqual("solver.base_lr", Assert.ThrowsExactly<RunSpecException>(() => (s with { BaseLr = -1 }).Validate()).Field);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => s.LearningRateAt(-1));
    }

    [TestMethod]
    public void SolversWithEqualStepsAreEqual()
    {
        Assert.AreEqual(new SolverSpec { LrSteps = [1, 2] }, new SolverSpec { LrSteps = [1, 2] });
        Assert.AreNotEqual(new SolverSpec { LrSteps = [1, 2] }, new SolverSpec { LrSteps = [1, 3] });
    }
}
