using OpenCvSharp;

namespace SphereFace.Alignment;

/// <summary>
/// Least-squares 2-D similarity transform (rotation, uniform scale, translation; no reflection, no shear).
/// </summary>
/// <remarks>
/// Closed form (Umeyama 1991, specialised to 2-D): with centred points p = from − mean(from) and
/// q = to − mean(to), treat points as complex numbers; the best s·e^{iθ} is Σ conj(p)·q / Σ|p|², which is
/// a = Σ(pₓqₓ + p_yq_y)/Σ|p|², b = Σ(pₓq_y − p_yqₓ)/Σ|p|², giving [[a, −b], [b, a]] and
/// t = mean(to) − [[a, −b], [b, a]]·mean(from). Computed in double precision.
/// </remarks>
public static class SimilarityTransform
{
    /// <summary>
    /// Estimates the 2×3 matrix M minimising Σ‖M·[from; 1] − to‖². Throws <see cref="ArgumentException"/>
    /// when the spans differ in length, hold fewer than 2 points, hold a NaN/∞ coordinate, or when all
    /// <paramref name="from"/> points coincide (the transform is then undefined).
    /// </summary>
    public static double[,] Estimate(ReadOnlySpan<Point2f> from, ReadOnlySpan<Point2f> to)
    {
        if (from.Length != to.Length)
            throw new ArgumentException($"similarity transform needs the same number of source and target points, got {from.Length} and {to.Length}.");
        if (from.Length < 2)
            throw new ArgumentException($"similarity transform needs at least 2 point pairs, got {from.Length}.");
        for (int i = 0; i < from.Length; i++)
        {
            if (!float.IsFinite(from[i].X) || !float.IsFinite(from[i].Y))
                throw new ArgumentException($"source point {i} is not finite: ({from[i].X}, {from[i].Y}).");
            if (!float.IsFinite(to[i].X) || !float.IsFinite(to[i].Y))
                throw new ArgumentException($"target point {i} is not finite: ({to[i].X}, {to[i].Y}).");
        }

        int n = from.Length;
        double fx = 0, fy = 0, tx = 0, ty = 0;
        for (int i = 0; i < n; i++) { fx += from[i].X; fy += from[i].Y; tx += to[i].X; ty += to[i].Y; }
        fx /= n; fy /= n; tx /= n; ty /= n;

        double spread = 0, dot = 0, cross = 0;
        for (int i = 0; i < n; i++)
        {
            double px = from[i].X - fx, py = from[i].Y - fy;
            double qx = to[i].X - tx, qy = to[i].Y - ty;
            spread += px * px + py * py;
            dot += px * qx + py * qy;
            cross += px * qy - py * qx;
        }
        if (!(spread > 1e-12))
            throw new ArgumentException("all source points coincide; a similarity transform is undefined.");

        double a = dot / spread, b = cross / spread;
        return new double[,]
        {
            { a, -b, tx - (a * fx - b * fy) },
            { b, a, ty - (b * fx + a * fy) },
        };
    }

    /// <summary>Applies a 2×3 matrix to a point (double precision).</summary>
    public static (double X, double Y) Apply(double[,] m, double x, double y) =>
        (m[0, 0] * x + m[0, 1] * y + m[0, 2], m[1, 0] * x + m[1, 1] * y + m[1, 2]);

    /// <summary>The uniform scale factor √(a² + b²) of a similarity matrix.</summary>
    public static double Scale(double[,] m) => Math.Sqrt(m[0, 0] * m[0, 0] + m[1, 0] * m[1, 0]);
}
