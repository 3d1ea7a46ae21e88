using ScottPlot;

namespace SphereFace.Reporting.Plots;

/// <summary>
/// 3-d unit features drawn on the sphere as longitude/latitude (equirectangular), one colour per class:
/// the 2-d counterpart of the SphereFace paper's Fig. 5 spheres.
/// </summary>
public static class SpherePlot
{
    /// <summary>Plots rows of <paramref name="features"/> (count × 3, any norm; directions are used) coloured by label.</summary>
    public static void Save(ReadOnlySpan<float> features, IReadOnlyList<int> labels, string path, string title)
    {
        if (features.Length != labels.Count * 3) throw new ArgumentException($"expected {labels.Count} × 3 features, got {features.Length} values");
        var lon = new double[labels.Count];
        var lat = new double[labels.Count];
        for (int i = 0; i < labels.Count; i++)
        {
            double x = features[3 * i], y = features[3 * i + 1], z = features[3 * i + 2];
            double norm = Math.Sqrt(x * x + y * y + z * z);
            lon[i] = Math.Atan2(y, x) * 180 / Math.PI;
            lat[i] = norm == 0 ? 0 : Math.Asin(Math.Clamp(z / norm, -1, 1)) * 180 / Math.PI;
        }
        var plot = new Plot();
        foreach (int c in labels.Distinct().Order())
        {
            var idx = Enumerable.Range(0, labels.Count).Where(i => labels[i] == c).ToArray();
            var points = plot.Add.ScatterPoints(idx.Select(i => lon[i]).ToArray(), idx.Select(i => lat[i]).ToArray());
            points.MarkerSize = 6;
            points.LegendText = $"class {c}";
        }
        plot.Axes.SetLimits(-180, 180, -90, 90);
        plot.Title(title);
        plot.XLabel("longitude (degrees)");
        plot.YLabel("latitude (degrees)");
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        PlotFile.SavePng(plot, path);
    }
}
