namespace SphereFace.Detection;

/// <summary>
/// The anchors of MediaPipe's full-range BlazeFace (its SSD anchor options: one layer of stride 4 on the 192×192 input,
/// one anchor per cell of fixed size 1, centres offset by half a cell): 48 × 48 = 2304 centres in [0, 1], row by row.
/// </summary>
internal static class Anchors
{
    public const int InputSize = 192, Stride = 4, Grid = InputSize / Stride, Count = Grid * Grid;

    /// <summary>Centre of anchor <paramref name="index"/> in input-normalised coordinates.</summary>
    public static (float X, float Y) Centre(int index) => ((index % Grid + 0.5f) / Grid, (index / Grid + 0.5f) / Grid);
}
