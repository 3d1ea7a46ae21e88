using OpenCvSharp;

namespace SphereFace.Detection;

/// <summary>
/// The five SphereFace points from MediaPipe's 468-point face mesh: each eye's centre as the mean of its contour
/// (16 points each), the nose tip (point 1) and the two mouth corners (points 61 and 291). Subject's right first, which
/// is the image's left for an upright frontal face — the order of the project's landmark lists.
/// </summary>
internal static class MeshPoints
{
    public const int Count = 468;

    /// <summary>The contour of the subject's right eye (image left).</summary>
    public static readonly int[] RightEye = [33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173];

    /// <summary>The contour of the subject's left eye (image right).</summary>
    public static readonly int[] LeftEye = [263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398];

    public const int NoseTip = 1, RightMouthCorner = 61, LeftMouthCorner = 291;

    public static Point2f[] FivePoints(IReadOnlyList<Point2f> mesh)
    {
        Point2f Mean(int[] indices) => new(indices.Average(i => mesh[i].X), indices.Average(i => mesh[i].Y));
        return [Mean(RightEye), Mean(LeftEye), mesh[NoseTip], mesh[RightMouthCorner], mesh[LeftMouthCorner]];
    }
}
