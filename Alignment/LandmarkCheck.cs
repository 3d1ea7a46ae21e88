using OpenCvSharp;

namespace SphereFace.Alignment;

/// <summary>Rejects five-point landmark sets that cannot define a sensible alignment.</summary>
public static class LandmarkCheck
{
    /// <summary>Names of the five points, in template order.</summary>
    public static readonly string[] Names = ["left eye", "right eye", "nose", "left mouth corner", "right mouth corner"];

    /// <summary>Two landmarks closer than this (pixels) are treated as coincident.</summary>
    public const double MinSeparation = 0.5;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the offending point when there are not exactly 5 points,
    /// a coordinate is NaN/∞, two points are closer than <see cref="MinSeparation"/> px, or a point lies more
    /// than one image width/height outside the image (a sign of swapped x/y or a wrong image).
    /// </summary>
    public static void Validate(ReadOnlySpan<Point2f> landmarks, Size imageSize)
    {
        if (landmarks.Length != 5)
            throw new ArgumentException($"expected 5 landmarks (eyes, nose, mouth corners), got {landmarks.Length}.");
        for (int i = 0; i < 5; i++)
        {
            var p = landmarks[i];
            if (!float.IsFinite(p.X) || !float.IsFinite(p.Y))
                throw new ArgumentException($"landmark '{Names[i]}' is not finite: ({p.X}, {p.Y}).");
            if (p.X < -imageSize.Width || p.X > 2.0 * imageSize.Width || p.Y < -imageSize.Height || p.Y > 2.0 * imageSize.Height)
                throw new ArgumentException(
                    $"landmark '{Names[i]}' at ({p.X:0.##}, {p.Y:0.##}) lies far outside the {imageSize.Width}×{imageSize.Height} image.");
        }
        for (int i = 0; i < 5; i++)
            for (int j = i + 1; j < 5; j++)
            {
                double dx = landmarks[i].X - landmarks[j].X, dy = landmarks[i].Y - landmarks[j].Y;
                if (Math.Sqrt(dx * dx + dy * dy) < MinSeparation)
                    throw new ArgumentException(
                        $"landmarks '{Names[i]}' and '{Names[j]}' coincide at ({landmarks[i].X:0.##}, {landmarks[i].Y:0.##}); degenerate landmarks cannot be aligned.");
            }
    }
}
