using System.Globalization;
using System.Text;
using SphereFace.Inference.Evaluation;

namespace SphereFace.Cli.Demo;

/// <summary>Writes the main job's Markdown report from the evaluation results it produced.</summary>
internal static class DemoReport
{
    public sealed record RunResult(string Name, EvaluationReport Lfw, TimeSpan TrainTime, float Lr, string CurvesPng, string RocPng, string AnglesPng);

    public static string Render(DemoPlan plan, string dataSummary, IReadOnlyList<RunResult> runs, string sampleSummary, TimeSpan total)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("# SphereFace demo: synthetic faces → SF-4 training → frozen embedding → LFW-style evaluation");
        sb.AppendLine();
        sb.AppendLine(inv, $"Produced by `./sphereface demo` in {total.TotalMinutes:F1} min ({Environment.ProcessorCount} cores).");
        sb.AppendLine();
        sb.AppendLine(inv, $"- Data: {dataSummary}");
        sb.AppendLine(inv, $"- Training: SF-4, batch {plan.Batch}, {plan.Iterations} iterations, SGD momentum 0.9, weight decay 5e-4, lr {string.Join(" / ", runs.Select(r => r.Lr).Distinct())} (configs/demo) ×0.1 at {string.Join(",", plan.LrSteps)}, seed {plan.Seed}; horizontal flips.");
        sb.AppendLine("- Evaluation: 10-fold verification on the pairs of held-out identities (threshold from the other 9 folds, features centred by their mean), single 512-d feature.");
        sb.AppendLine();
        var metricNames = runs[0].Lfw.Metrics.Select(m => m.Name).ToList();
        sb.AppendLine("| loss | train time | " + string.Join(" | ", metricNames) + " |");
        sb.AppendLine("|---|---|" + string.Concat(metricNames.Select(_ => "---|")));
        foreach (var r in runs)
        {
            var cells = r.Lfw.Metrics.Select(m => m.Value is null ? "n/a"
                : m.Std is { } s ? string.Format(inv, "{0:F4} ± {1:F4}", m.Value, s)
                : m.Value % 1 == 0 ? string.Format(inv, "{0:F0}", m.Value) : string.Format(inv, "{0:F4}", m.Value));
            sb.AppendLine(inv, $"| {r.Name} | {r.TrainTime.TotalMinutes:F1} min | {string.Join(" | ", cells)} |");
        }
        sb.AppendLine();
        sb.AppendLine("## Sample embedding through the library call");
        sb.AppendLine();
        sb.AppendLine(sampleSummary);
        sb.AppendLine();
        foreach (var r in runs)
        {
            sb.AppendLine(inv, $"## {r.Name}");
            sb.AppendLine();
            sb.AppendLine(inv, $"![training curves]({r.CurvesPng}) ![ROC]({r.RocPng}) ![angles]({r.AnglesPng})");
            sb.AppendLine();
        }
        return sb.ToString();
    }
}
