using System.Globalization;
using System.Text;
using SphereFace.Cli.Pipeline;

namespace SphereFace.Cli.Experiments;

/// <summary>
/// The Markdown report of an experiment: setup, one table row per training, the observed ordering beside the
/// paper's, and the plots.
/// </summary>
internal static class ExperimentReport
{
    // The plots a run folder may hold, in the order the report shows them.
    private static readonly string[] Plots = ["curves.png", "eval-lfw-roc.png", "eval-lfw-angles.png", "sphere.png", "angles.png"];

    private static readonly (string Protocol, string Metric, string Header, bool HigherIsBetter)[] Columns =
    [
        ("lfw", "accuracy", "LFW-style accuracy", true),
        ("lfw", "auc", "AUC", true),
        ("fisher", "angular_fisher_score", "angular Fisher score", false),
        ("blufr", "vr_at_far_1e-3", "VR@FAR=0.1%", true),
        ("blufr", "dir_at_far_1e-2_rank1", "DIR@FAR=1% (rank 1)", true),
        ("sphere", "mean_genuine_angle_deg", "mean genuine angle (°)", false),
        ("sphere", "mean_impostor_angle_deg", "mean impostor angle (°)", true),
        ("sphere", "angular_fisher_score", "angular Fisher score", false),
    ];

    public static string Render(ExperimentSpec spec, ExperimentSize size, IReadOnlyList<RunResult> results, string dir)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"# Experiment `{spec.Name}`: {spec.Title}");
        sb.AppendLine();
        string sizeArgs = spec.FixedData ? "" : $" --identities {size.Identities}";
        sb.AppendLine(inv, $"Produced by `./sphereface experiment {spec.Name}{sizeArgs} --iterations {size.Iterations}` on {Environment.ProcessorCount} cores; training times are wall time from each run's train.log.");
        sb.AppendLine();
        sb.AppendLine(inv, $"- Paper's claim: {spec.PaperClaim}");
        string evaluated = spec.Protocols.Contains("sphere") ? "features of the training identities, as in the paper's Fig. 5" : "evaluation on held-out identities";
        foreach (var d in spec.Data) sb.AppendLine(inv, $"- Data `{d.Name}`: {d.Description}; {evaluated}.");
        sb.AppendLine(inv, $"- Training: {spec.Net} ({spec.EmbeddingSize}-d embedding, run specs in `specs/`), batch {size.Batch}, {size.Iterations} iterations, lr {size.Lr} ×0.1 at 60 % and 85 %, SGD momentum 0.9, weight decay 5e-4, seed {size.Seed}; A-Softmax λ = max(5, 1000/(1 + {size.LambdaGamma(spec.LambdaFloorAt):G3}·iter)), reaching 5 at {spec.LambdaFloorAt * 100:G3} % of the run ({spec.LambdaFloorWhy}).");
        sb.AppendLine();

        var columns = Columns.Where(c => spec.Protocols.Contains(c.Protocol) && results.Any(r => r.Metric(c.Protocol, c.Metric)?.Value is not null)).ToList();
        sb.AppendLine("| run | what | train time | " + string.Join(" | ", columns.Select(c => c.Header + (c.HigherIsBetter ? " ↑" : " ↓"))) + " |");
        sb.AppendLine("|---|---|---|" + string.Concat(columns.Select(_ => "---|")));
        foreach (var r in results)
        {
            var cells = columns.Select(c => r.Metric(c.Protocol, c.Metric) is { Value: { } v } m
                ? (m.Std is { } s ? string.Format(inv, "{0:F4} ± {1:F4}", v, s) : string.Format(inv, "{0:F4}", v)) : "n/a");
            sb.AppendLine(inv, $"| `{r.Run.Name}` | {r.Run.Description} | {r.TrainTime.TotalMinutes:F1} min | {string.Join(" | ", cells)} |");
        }
        sb.AppendLine();

        var primary = columns.FirstOrDefault();
        if (primary.Protocol is not null)
        {
            double Key(RunResult r) => (r.Metric(primary.Protocol, primary.Metric)?.Value ?? double.NaN) * (primary.HigherIsBetter ? 1 : -1);
            var observed = results.Where(r => !double.IsNaN(Key(r))).OrderByDescending(Key).Select(r => r.Run.Name).ToList();
            var paper = spec.PaperOrder.Where(observed.Contains).ToList();
            int agree = 0, pairs = 0;
            for (int i = 0; i < paper.Count; i++)
                for (int j = i + 1; j < paper.Count; j++, pairs++)
                    if (observed.IndexOf(paper[i]) < observed.IndexOf(paper[j])) agree++;
            sb.AppendLine(inv, $"Observed order by {primary.Header} (best first): {string.Join(" > ", observed.Select(n => $"`{n}`"))}.");
            sb.AppendLine();
            if (paper.Count > 1)
            {
                sb.AppendLine(inv, $"Paper's order: {string.Join(" > ", paper.Select(n => $"`{n}`"))}. The observed order agrees on {agree} of {pairs} pairwise comparisons.");
                sb.AppendLine();
            }
        }
        if (spec.PaperPairs is { Count: > 0 } claims)
        {
            sb.AppendLine("Paper's pairwise claims, checked on every figure above:");
            sb.AppendLine();
            foreach (var (better, worse) in claims)
            {
                var b = results.FirstOrDefault(r => r.Run.Name == better);
                var w = results.FirstOrDefault(r => r.Run.Name == worse);
                if (b is null || w is null) continue;
                var holds = new List<string>();
                var fails = new List<string>();
                foreach (var c in columns)
                    if (b.Metric(c.Protocol, c.Metric)?.Value is { } vb && w.Metric(c.Protocol, c.Metric)?.Value is { } vw)
                        (vb != vw && (vb > vw) == c.HigherIsBetter ? holds : fails).Add(c.Header);
                string exceptions = fails.Count > 0 ? $" (not on {string.Join(", ", fails)})." : ".";
                sb.AppendLine(inv, $"- `{better}` beats `{worse}`: holds on {holds.Count} of {holds.Count + fails.Count} figures{exceptions}");
            }
            sb.AppendLine();
        }

        sb.AppendLine("## Plots");
        sb.AppendLine();
        foreach (var r in results)
        {
            string runDir = Path.Combine(dir, "runs", r.Run.Name);
            var pngs = Plots
                .Where(f => File.Exists(Path.Combine(runDir, f)))
                .Select(f => $"![{r.Run.Name} {Path.GetFileNameWithoutExtension(f)}]({VerbRunner.Rel(dir, Path.Combine(runDir, f))})");
            sb.AppendLine(inv, $"`{r.Run.Name}`: {string.Join(" ", pngs)}");
            sb.AppendLine();
        }
        return sb.ToString();
    }
}
