using SphereFace.Cli.Experiments;
using SphereFace.Graphs.Losses;

namespace SphereFace.Tests.Experiments;

[TestClass]
public sealed class ExperimentScheduleTests
{
    [TestMethod]
    [DataRow(300, 0.5)]
    [DataRow(300, 0.06)]
    [DataRow(1500, 0.5)]
    public void LambdaReachesItsFloorAtTheRequestedFractionOfTheRun(int iterations, double floorAt)
    {
        var size = new ExperimentSize(200, iterations, 32, 0.01f, 1, 0);
        double gamma = size.LambdaGamma(floorAt);
        // Paper's form in double precision: λ(t) = max(5, 1000 / (1 + γ·t)); it crosses 5 at t = 199 / γ.
        double Lambda(double t) => Math.Max(5, 1000 / (1 + gamma * t));
        double floorIteration = floorAt * iterations;
        Assert.AreEqual(5.0, 1000 / (1 + gamma * floorIteration), 1e-4);
        Assert.IsTrue(Lambda(floorIteration - 2) > 5.0);
        // The schedule the trainings run (float32, with the same γ) agrees.
        var schedule = new LambdaSchedule { Gamma = (float)gamma };
        Assert.AreEqual(Lambda(floorIteration / 2), schedule.At((long)(floorIteration / 2)), 1e-3 * Lambda(floorIteration / 2));
        Assert.AreEqual(5f, schedule.At(iterations - 1));
    }

    [TestMethod]
    public void Sphere3dKeepsThePapersFloorPointAndTheOthersFloorHalfWay()
    {
        Assert.AreEqual(0.06, ExperimentCatalog.Get("sphere3d", 200).LambdaFloorAt);
        foreach (var name in new[] { "margins", "ablation", "imbalance" })
            Assert.AreEqual(ExperimentFile.DefaultLambdaFloorAt, ExperimentCatalog.Get(name, 200).LambdaFloorAt, name);
    }
}
