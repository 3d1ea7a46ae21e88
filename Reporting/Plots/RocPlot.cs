using ScottPlot;
using SphereFace.Inference.Evaluation;

namespace SphereFace.Reporting.Plots;

/// <summary>ROC curve (TAR against FAR on a logarithmic FAR axis) as a PNG.</summary>
public static class RocPlot
{
    /// <summary>
    /// Draws <paramref name="roc"/> to <paramref name="path"/>. FAR values below 1/M (M impostor pairs, the
    /// smallest measurable rate) are drawn at 1/M so the log axis stays finite. With <paramref name="threshold"/>, its
    /// operating point (<see cref="RocCurve.At"/>) is marked and named in the legend.
    /// </summary>
    public static void Save(RocCurve roc, string path, string title, (double Value, string Name)? threshold = null)
    {
        double floor = 1.0 / roc.Negatives;
        var xs = roc.FalseAcceptRates.Select(f => Math.Log10(Math.Max(f, floor))).ToArray();
        var ys = roc.TrueAcceptRates.ToArray();
        var plot = new Plot();
        var line = plot.Add.Scatter(xs, ys);
        line.MarkerSize = 0;
        line.LineWidth = 2;
        line.LegendText = $"AUC = {roc.Auc:F4}";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            IntegerTicksOnly = true,
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            LabelFormatter = x => $"1e{x:0}",
        };
        if (threshold is { } t)
        {
            var (far, tar) = roc.At(t.Value);
            var mark = plot.Add.Marker(Math.Log10(Math.Max(far, floor)), tar, MarkerShape.FilledCircle, 9, Colors.Red);
            mark.LegendText = $"{t.Name} {t.Value:F4}: FAR {far:G3}, TAR {tar:F3}";
        }
        plot.Axes.SetLimits(Math.Log10(floor), 0, 0, 1.02);
        plot.Title(title);
        plot.XLabel("false accept rate");
        plot.YLabel("true accept rate");
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        PlotFile.SavePng(plot, path);
    }
}
