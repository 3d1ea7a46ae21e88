using SphereFace.Cli.Experiments;
using SphereFace.Inference.Evaluation;
using SphereFace.Tests.Support;

namespace SphereFace.Tests.Experiments;

[TestClass]
public sealed class ExperimentReportTests
{
    private static RunResult Result(string name, double accuracy, double fisher) => new(
        new ExperimentRun(name, "d", name, []),
        [
            new EvaluationReport("lfw", name, [new EvaluationMetric("accuracy", accuracy, 0.01)]),
            new EvaluationReport("fisher", name, [new EvaluationMetric("angular_fisher_score", fisher)]),
        ],
        TimeSpan.FromMinutes(1));

    [TestMethod]
    public void ReportsTheObservedOrderAndCountsAgreeingPairsByBruteForce()
    {
        var spec = new ExperimentSpec("t", "title", "claim", [new ExperimentData("d", "desc", [])],
            [], [], ["lfw", "fisher"], ["a", "b", "c", "d"]);
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

    [TestMethod]
    public void PairwiseClaimsAreCheckedOnEveryFigureWithLowerIsBetterColumnsReversed()
    {
        // x beats y on accuracy (0.9 > 0.8) and on the Fisher score (0.1 < 0.2: lower is better); z vs y: worse
        // accuracy, better Fisher score; equal values count as not holding.
        var spec = new ExperimentSpec("t", "title", "claim", [new ExperimentData("d", "desc", [])], [], [], ["lfw", "fisher"], [],
            PaperPairs: [("x", "y"), ("z", "y"), ("y", "w")]);
        var results = new[] { Result("x", 0.9, 0.1), Result("y", 0.8, 0.2), Result("z", 0.7, 0.15), Result("w", 0.8, 0.3) };
        using var dir = new TempDir();
        string report = ExperimentReport.Render(spec, new ExperimentSize(100, 300, 32, 0.01f, 1, 0), results, dir.Path);

        StringAssert.Contains(report, "- `x` beats `y`: holds on 2 of 2 figures.");
        StringAssert.Contains(report, "- `z` beats `y`: holds on 1 of 2 figures (not on LFW-style accuracy).");
        StringAssert.Contains(report, "- `y` beats `w`: holds on 1 of 2 figures (not on LFW-style accuracy).");
        Assert.IsFalse(report.Contains("Paper's order"), "no total order is claimed");
    }
}
