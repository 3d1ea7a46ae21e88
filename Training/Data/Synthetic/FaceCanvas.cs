using OpenCvSharp;

namespace SphereFace.Training.Data.Synthetic;

/// <summary>Anti-aliased sub-pixel drawing of canonical-space shapes through a <see cref="FacePose"/>.</summary>
internal sealed class FaceCanvas(Mat image, FacePose pose)
{
    /// <summary>Fractional bits of drawing coordinates (1/16 px).</summary>
    private const int Shift = 4;

    public Mat Image => image;
    public FacePose Pose => pose;

    private static Point Fixed(Point2d p) => new((int)Math.Round(p.X * (1 << Shift)), (int)Math.Round(p.Y * (1 << Shift)));

    /// <summary>Fills a polygon given in canonical coordinates at depth z.</summary>
    public void Fill(IEnumerable<(double U, double V)> outline, double z, Scalar colour)
    {
        var pts = outline.Select(p => Fixed(pose.Project(p.U, p.V, z))).ToArray();
        Cv2.FillPoly(image, [pts], colour, LineTypes.AntiAlias, Shift);
    }

    /// <summary>Draws an open or closed polyline with a thickness in canonical units (at least 1 px).</summary>
    public void Stroke(IEnumerable<(double U, double V)> line, double z, double thickness, Scalar colour, bool closed = false)
    {
        var pts = line.Select(p => Fixed(pose.Project(p.U, p.V, z))).ToArray();
        int px = Math.Max(1, (int)Math.Round(thickness * pose.Scale));
        Cv2.Polylines(image, [pts], closed, colour, px, LineTypes.AntiAlias, Shift);
    }

    /// <summary>Fills an ellipse (centre, semi-axes, rotation in radians) in canonical space.</summary>
    public void Ellipse(double cu, double cv, double au, double av, double angle, double z, Scalar colour) =>
        Fill(EllipsePoints(cu, cv, au, av, angle), z, colour);

    /// <summary>Points on an ellipse (32 by default).</summary>
    public static IEnumerable<(double U, double V)> EllipsePoints(double cu, double cv, double au, double av, double angle, int n = 32,
                                                               double from = 0, double to = 2 * Math.PI)
    {
        double c = Math.Cos(angle), s = Math.Sin(angle);
        for (int i = 0; i < n; i++)
        {
            double t = from + (to - from) * i / (n - 1.0 + (to - from >= 2 * Math.PI - 1e-9 ? 1 : 0));
            double x = au * Math.Cos(t), y = av * Math.Sin(t);
            yield return (cu + c * x - s * y, cv + s * x + c * y);
        }
    }

    /// <summary>Quadratic Bézier from a through control b to c (n points).</summary>
    public static IEnumerable<(double U, double V)> Curve((double U, double V) a, (double U, double V) b, (double U, double V) c, int n = 12)
    {
        for (int i = 0; i < n; i++)
        {
            double t = i / (n - 1.0), m = 1 - t;
            yield return (m * m * a.U + 2 * m * t * b.U + t * t * c.U, m * m * a.V + 2 * m * t * b.V + t * t * c.V);
        }
    }
}
