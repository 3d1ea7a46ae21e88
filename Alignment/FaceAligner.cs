using OpenCvSharp;

namespace SphereFace.Alignment;

/// <summary>
/// Aligns a face photo onto a <see cref="FaceTemplate"/>: least-squares similarity transform from the five
/// landmarks to the template points, then a bilinear warp (OpenCV) into the template-sized crop. Pixels that
/// come from outside the photo are black. Thread-safe (no mutable state).
/// </summary>
public sealed class FaceAligner
{
    private readonly Point2f[] _template;

    /// <summary>An aligner for the given template (SphereFace 112×96, read 0-based, by default).</summary>
    public FaceAligner(FaceTemplateKind kind = FaceTemplateKind.Sphere112x96, TemplateOrigin origin = TemplateOrigin.ZeroBased)
    {
        Kind = kind;
        Origin = origin;
        _template = FaceTemplate.Points(kind, origin);
        OutputSize = FaceTemplate.Size(kind);
    }

    /// <summary>The template this aligner maps onto.</summary>
    public FaceTemplateKind Kind { get; }

    /// <summary>The pixel convention the template's coordinates are read in.</summary>
    public TemplateOrigin Origin { get; }

    /// <summary>Width × height of the aligned crop.</summary>
    public Size OutputSize { get; }

    /// <summary>
    /// The 2×3 matrix taking photo coordinates to crop coordinates for <paramref name="landmarks5"/>
    /// (validated as in <see cref="LandmarkCheck.Validate"/> against <paramref name="imageSize"/>).
    /// </summary>
    public double[,] TransformFor(ReadOnlySpan<Point2f> landmarks5, Size imageSize)
    {
        LandmarkCheck.Validate(landmarks5, imageSize);
        return SimilarityTransform.Estimate(landmarks5, _template);
    }

    /// <summary>
    /// Returns the aligned face, of the same type as <paramref name="image"/> (BGR CV_8UC3 for photos) and
    /// of size <see cref="OutputSize"/>. Throws <see cref="ArgumentException"/> on an empty image or
    /// degenerate landmarks (not 5, NaN, coincident, far outside the image).
    /// </summary>
    public Mat Align(Mat image, ReadOnlySpan<Point2f> landmarks5)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Empty())
            throw new ArgumentException("cannot align an empty image.");
        var m = TransformFor(landmarks5, image.Size());
        using var matrix = new Mat(2, 3, MatType.CV_64FC1);
        for (int r = 0; r < 2; r++)
            for (int c = 0; c < 3; c++)
                matrix.Set(r, c, m[r, c]);
        var aligned = new Mat();
        Cv2.WarpAffine(image, aligned, matrix, OutputSize, InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(0));
        return aligned;
    }

    /// <summary>Least-squares similarity transform (2×3) taking <paramref name="from"/> onto <paramref name="to"/>; see <see cref="SimilarityTransform.Estimate"/>.</summary>
    public static double[,] EstimateSimilarity(ReadOnlySpan<Point2f> from, ReadOnlySpan<Point2f> to) =>
        SimilarityTransform.Estimate(from, to);
}
