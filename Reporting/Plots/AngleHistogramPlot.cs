using ScottPlot;

namespace SphereFace.Reporting.Plots;

/// <summary>
/// Histogram of the angles between the features of genuine and of impostor pairs (as in the SphereFace paper,
/// Fig. 5 bottom row): a discriminative embedding separates the two distributions.
/// </summary>
public static class AngleHistogramPlot
{
    /// <summary>Converts cosine scores to angles in degrees (scores are clamped to [−1, 1]; NaN stays NaN).</summary>
    public static double[] ToDegrees(IEnumerable<float> cosines) =>
        cosines.Select(c => Math.Acos(Math.Clamp((double)c, -1, 1)) * 180 / Math.PI).ToArray();

    /// <summary>
    /// Draws normalised histograms (share of pairs per 2° bin over 0–180°) of the genuine and impostor angles.
    /// NaN angles are skipped; throws when either group is empty. With <paramref name="threshold"/> (a cosine), the
    /// angle arccos(threshold) is drawn as a vertical line and named in the legend.
    /// </summary>
    public static void Save(IReadOnlyList<double> genuineDegrees, IReadOnlyList<double> impostorDegrees, string path, string title,
        (double Cosine, string Name)? threshold = null)
    {
        if (genuineDegrees.Count == 0 || impostorDegrees.Count == 0)
            throw new ArgumentException($"The angle histogram needs genuine and impostor pairs; got {genuineDegrees.Count} and {impostorDegrees.Count}.");
        var plot = new Plot();
        AddGroup(plot, genuineDegrees, "genuine pairs", Colors.Blue);
        AddGroup(plot, impostorDegrees, "impostor pairs", Colors.Red);
        if (threshold is { } t)
        {
            double degrees = Math.Acos(Math.Clamp(t.Cosine, -1, 1)) * 180 / Math.PI;
            var line = plot.Add.VerticalLine(degrees, 2, Colors.Black, LinePattern.Dashed);
            line.LegendText = $"{t.Name}: cosine {t.Cosine:F4} = {degrees:F1}°";
        }
        plot.Title(title);
        plot.XLabel("angle between features (degrees)");
        plot.YLabel("share of pairs");
        plot.Axes.SetLimitsX(0, 180);
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        PlotFile.SavePng(plot, path);
    }

    private static void AddGroup(Plot plot, IReadOnlyList<double> degrees, string label, Color color)
    {
        const double binWidth = 2;
        int bins = (int)(180 / binWidth);
        var counts = new double[bins];
        int n = 0;
        foreach (double a in degrees)
        {
            if (double.IsNaN(a)) continue;
            counts[Math.Clamp((int)(a / binWidth), 0, bins - 1)]++;
            n++;
        }
        var bars = Enumerable.Range(0, bins).Select(i => new Bar
        {
            Position = (i + 0.5) * binWidth,
            Value = n == 0 ? 0 : counts[i] / n,
            Size = binWidth,
            FillColor = color.WithAlpha(0.45),
            LineWidth = 0,
        }).ToList();
        var plottable = plot.Add.Bars(bars);
        plottable.LegendText = label;
    }
}
