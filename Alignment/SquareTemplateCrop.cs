using OpenCvSharp;

namespace SphereFace.Alignment;

/// <summary>
/// A face aligned to the 112×112 square template (insightface's ArcFace template, SphereFace's moved 8 px right) holds
/// the 112×96 SphereFace crop exactly in its columns 8–103. Defined once here for the serving preparation and the
/// training data's records.
/// </summary>
public static class SquareTemplateCrop
{
    /// <summary>Columns dropped on the left of a 112×112 face (the template's 8 px shift).</summary>
    public const int Offset = 8;

    /// <summary>Whether <paramref name="width"/>×<paramref name="height"/> is a square-template face (112×112).</summary>
    public static bool IsSquareFace(int width, int height) => width == 96 + 2 * Offset && height == 112;

    /// <summary>
    /// The 112×96 view of a 112×112 face (columns 8–103; shares <paramref name="squareFace"/>'s pixels — clone it to keep
    /// it beyond the source).
    /// </summary>
    /// <exception cref="ArgumentException">The face is not 112×112.</exception>
    public static Mat Middle(Mat squareFace)
    {
        ArgumentNullException.ThrowIfNull(squareFace);
        if (!IsSquareFace(squareFace.Width, squareFace.Height))
            throw new ArgumentException($"A square-template face is 112×112, got {squareFace.Width}×{squareFace.Height}.");
        return new Mat(squareFace, new Rect(Offset, 0, 96, 112));
    }
}
