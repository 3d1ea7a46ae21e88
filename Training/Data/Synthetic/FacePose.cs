using OpenCvSharp;

namespace SphereFace.Training.Data.Synthetic;

/// <summary>
/// Maps canonical face coordinates (u right, v down, unit ≈ half a head width; z = depth towards the camera)
/// to image pixels: a mild yaw (u' = u·cos ψ + z·sin ψ), then rotation, uniform scale and translation.
/// </summary>
internal sealed class FacePose(double centreX, double centreY, double pixelsPerUnit, double rotation, double yaw)
{
    /// <summary>Canonical v that lands on the image centre (between the eyes and the mouth).</summary>
    public const double PivotV = 0.2;

    private readonly double _cos = Math.Cos(rotation), _sin = Math.Sin(rotation);
    private readonly double _yawCos = Math.Cos(yaw), _yawSin = Math.Sin(yaw);

    /// <summary>Pixels per canonical unit.</summary>
    public double Scale => pixelsPerUnit;

    /// <summary>Image position of canonical (u, v) at depth z.</summary>
    public Point2d Project(double u, double v, double z)
    {
        double x = u * _yawCos + z * _yawSin, y = v - PivotV;
        return new Point2d(centreX + pixelsPerUnit * (_cos * x - _sin * y), centreY + pixelsPerUnit * (_sin * x + _cos * y));
    }
}
