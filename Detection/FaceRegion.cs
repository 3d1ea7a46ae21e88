using OpenCvSharp;

namespace SphereFace.Detection;

/// <summary>
/// The square, rotated region of a photo the landmark model looks at for one detected face (MediaPipe's face landmark
/// front end): centred on the detector's box, 1.5 × its longer side, turned so that the line from the subject's right
/// eye to the left eye is horizontal. Maps the 192×192 crop's pixels to the photo's and back.
/// </summary>
internal readonly record struct FaceRegion(float CentreX, float CentreY, float Side, float Angle)
{
    public const int CropSize = 192;
    public const float Enlarge = 1.5f;

    /// <summary>The region of a detection given in the photo's continuous coordinates (box and the two eye keypoints).</summary>
    public static FaceRegion Of(Rect2f box, Point2f rightEye, Point2f leftEye)
    {
        // MediaPipe: rotation = target (0) − atan2(−(y₁ − y₀), x₁ − x₀), so a face leaning right has a positive angle.
        float angle = -MathF.Atan2(-(leftEye.Y - rightEye.Y), leftEye.X - rightEye.X);
        return new FaceRegion(box.X + box.Width / 2, box.Y + box.Height / 2, Math.Max(box.Width, box.Height) * Enlarge, angle);
    }

    /// <summary>The photo point (continuous coordinates) of the crop's point (u, v) (continuous, 0 … 192).</summary>
    public Point2f ToPhoto(float u, float v)
    {
        float dx = (u / CropSize - 0.5f) * Side, dy = (v / CropSize - 0.5f) * Side;
        float cos = MathF.Cos(Angle), sin = MathF.Sin(Angle);
        return new Point2f(CentreX + cos * dx - sin * dy, CentreY + sin * dx + cos * dy);
    }

    /// <summary>
    /// The 2×3 affine matrix taking the crop's pixel indices to the photo's (for a warp with WarpInverseMap). Region and
    /// <see cref="ToPhoto"/> work in continuous coordinates (pixel i spans [i, i + 1)); OpenCV's warp in pixel indices,
    /// whose centres sit half a pixel in.
    /// </summary>
    public Mat CropToPhoto()
    {
        float k = Side / CropSize, cos = MathF.Cos(Angle), sin = MathF.Sin(Angle);
        var centre = ToPhoto(0.5f, 0.5f);
        var origin = new Point2f(centre.X - 0.5f, centre.Y - 0.5f);
        var m = new Mat(2, 3, MatType.CV_64FC1);
        m.Set(0, 0, (double)(cos * k)); m.Set(0, 1, (double)(-sin * k)); m.Set(0, 2, (double)origin.X);
        m.Set(1, 0, (double)(sin * k)); m.Set(1, 1, (double)(cos * k)); m.Set(1, 2, (double)origin.Y);
        return m;
    }
}
