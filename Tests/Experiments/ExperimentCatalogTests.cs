using SphereFace.Cli.Experiments;

namespace SphereFace.Tests.Experiments;

[TestClass]
public sealed class ExperimentCatalogTests
{
    [TestMethod]
    [DataRow("margins")]
    [DataRow("ablation")]
    [DataRow("imbalance")]
    [DataRow("sphere3d")]
    public void EveryFineTunedRunStartsFromAnEarlierRunOnTheSameData(string name)
    {
        var spec = ExperimentCatalog.Get(name, 200);
        var runs = spec.Runs.ToList();
        Assert.AreEqual(runs.Count, runs.Select(r => r.Name).Distinct().Count(), "run names are unique (they name folders)");
        foreach (var (run, index) in runs.Select((r, i) => (r, i)))
        {
            Assert.IsTrue(spec.Data.Any(d => d.Name == run.Data), $"{run.Name}: unknown data set {run.Data}");
            if (run.InitFrom is not { } from) continue;
            int source = runs.FindIndex(r => r.Name == from);
            Assert.IsTrue(source >= 0 && source < index, $"{run.Name}: fine-tuned from {from}, which must run before it");
            Assert.AreEqual(run.Data, runs[source].Data, $"{run.Name}: fine-tuned from a run on other data");
        }
        foreach (var (better, worse) in spec.PaperPairs ?? [])
            Assert.IsTrue(runs.Any(r => r.Name == better) && runs.Any(r => r.Name == worse), $"claim {better} > {worse} names unknown runs");
    }

    [TestMethod]
    public void ImbalanceFineTunesEveryMarginLossFromItsDataSetsSoftmaxRun()
    {
        var spec = ExperimentCatalog.Get("imbalance", 200);
        foreach (var run in spec.Runs.Where(r => !r.Name.EndsWith("/softmax")))
            Assert.AreEqual($"{run.Data}/softmax", run.InitFrom, run.Name);
    }
}
