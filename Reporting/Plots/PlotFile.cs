using ScottPlot;
using SphereFace.Models.IO;

namespace SphereFace.Reporting.Plots;

/// <summary>Renders a ScottPlot plot to a PNG file atomically (headless: SkiaSharp needs no display).</summary>
internal static class PlotFile
{
    public const int Width = 900;
    public const int Height = 600;

    public static void SavePng(Plot plot, string path)
    {
        var bytes = plot.GetImageBytes(Width, Height, ImageFormat.Png);
        AtomicFile.WriteAllBytes(path, bytes);
    }
}
