using OpenCvSharp;

namespace SphereFace.Alignment;

/// <summary>
/// The five reference points (image-left eye, image-right eye, nose tip, image-left mouth corner,
/// image-right mouth corner) that an aligned face is mapped onto, and the size of the aligned crop.
/// </summary>
/// <remarks>
/// Coordinates are in pixels with OpenCV's convention: the centre of the top-left pixel is (0, 0) and x grows
/// to the right. By default the values are SphereFace's published template taken as they are (the original MATLAB
/// code is 1-based, so a face aligned here sits 1 px further right and down inside the crop than MATLAB's; training
/// and inference both use this class, so they agree). <see cref="TemplateOrigin.OneBased"/> reads them as MATLAB
/// does, for models trained by the original code (the model's input contract records which).
/// </remarks>
public static class FaceTemplate
{
    private static readonly Point2f[] Sphere96 =
    [
        new(30.2946f, 51.6963f),
        new(65.5318f, 51.5014f),
        new(48.0252f, 71.7366f),
        new(33.5493f, 92.3655f),
        new(62.7299f, 92.2041f),
    ];

    /// <summary>
    /// The five template points of <paramref name="kind"/> in OpenCV's 0-based coordinates, the published numbers
    /// read in <paramref name="origin"/>'s convention (a fresh copy the caller may modify).
    /// </summary>
    public static Point2f[] Points(FaceTemplateKind kind, TemplateOrigin origin = TemplateOrigin.ZeroBased)
    {
        float shift = origin switch
        {
            TemplateOrigin.ZeroBased => 0f,
            TemplateOrigin.OneBased => -1f,
            _ => throw new ArgumentOutOfRangeException(nameof(origin), origin, "unknown template origin"),
        };
        float dx = kind switch
        {
            FaceTemplateKind.Sphere112x96 => 0f,
            FaceTemplateKind.Sphere112x112 => 8f,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown face template kind"),
        };
        return Sphere96.Select(p => new Point2f(p.X + dx + shift, p.Y + shift)).ToArray();
    }

    /// <summary>Width × height of the aligned crop of <paramref name="kind"/> (96×112 or 112×112).</summary>
    public static Size Size(FaceTemplateKind kind) => kind switch
    {
        FaceTemplateKind.Sphere112x96 => new Size(96, 112),
        FaceTemplateKind.Sphere112x112 => new Size(112, 112),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown face template kind"),
    };

    /// <summary>All template kinds (used to validate inputs against every supported crop size).</summary>
    public static IReadOnlyList<FaceTemplateKind> All { get; } = [FaceTemplateKind.Sphere112x96, FaceTemplateKind.Sphere112x112];
}
