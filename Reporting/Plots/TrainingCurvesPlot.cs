using ScottPlot;

namespace SphereFace.Reporting.Plots;

/// <summary>Loss (left axis) and training accuracy (right axis) against iteration, from a <see cref="TrainingLog"/>.</summary>
public static class TrainingCurvesPlot
{
    /// <summary>Draws the curves of <paramref name="log"/> to <paramref name="path"/>; NaN values leave gaps.</summary>
    public static void Save(TrainingLog log, string path, string title)
    {
        var it = log["iteration"];
        var plot = new Plot();
        var loss = plot.Add.Scatter(it, log["loss"]);
        loss.MarkerSize = 0;
        loss.LineWidth = 2;
        loss.LegendText = "loss";
        var acc = plot.Add.Scatter(it, log["accuracy"]);
        acc.MarkerSize = 0;
        acc.LineWidth = 2;
        acc.LegendText = "accuracy";
        acc.Axes.YAxis = plot.Axes.Right;
        plot.Title(title);
        plot.XLabel("iteration");
        plot.Axes.Left.Label.Text = "loss";
        plot.Axes.Right.Label.Text = "accuracy";
        // Below the axes: inside, any corner covers one of the curves (loss falls where accuracy rises).
        plot.ShowLegend(Edge.Bottom);
        PlotFile.SavePng(plot, path);
    }
}
