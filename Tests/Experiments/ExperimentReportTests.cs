using SphereFace.Cli.Experiments;
using SphereFace.Inference.Evaluation;
using SphereFace.Tests.Support;

namespace SphereFace.Tests.Experiments;

[TestClass]
public sealed class ExperimentReportTests
{
    private static RunResult Result(string name, double accuracy, double fisher) => new(
        new RunSpec(name, "d", name, []),
        [
            new EvaluationReport("lfw", name, [new EvaluationMetric("accuracy", accuracy, 0.01)]),
            new EvaluationReport("fisher", name, [new EvaluationMetric("angular_fisher_score", fisher)]),
        ],
        TimeSpan.FromMinutes(1));

    [TestMethod]
    public void ReportsTheObservedOrderAndCountsAgreeingPairsByBruteForce()
    {
        var spec = new ExperimentSpec("t", "title", "claim", [new DataSpec("d", "desc", [])],
            [], ["lfw", "fisher"], ["a", "b", "c", "d"]);
        var accuracies = new Dictionary<string, double> { ["a"] = 0.90, ["b"] = 0.80, ["c"] = 0.85, ["d"] = 0.70 };
        var results = accuracies.Select(kv => Result(kv.Key, kv.Value, 1 - kv.Value)).ToList();
        using var dir = new TempDir();
        string report = ExperimentReport.Render(spec, new ExperimentSize(100, 300, 32, 0.01f, 1, 0), results, dir.Path);

        // Independent count: every pair (i, j) of the paper's order, agreeing when accuracy[i] > accuracy[j].
        var order = spec.PaperOrder;
        int agree = 0, pairs = 0;
        for (int i = 0; i < order.Count; i++)
            for (int j = i + 1; j < order.Count; j++, pairs++)
                if (accuracies[order[i]] > accuracies[order[j]]) agree++;
        StringAssert.Contains(report, $"agrees on {agree} of {pairs} pairwise comparisons");
        StringAssert.Contains(report, "`a` > `c` > `b` > `d`");
        StringAssert.Contains(report, "| `c` | c | 1.0 min | 0.8500 ± 0.0100 | 0.1500 |");
    }
}
