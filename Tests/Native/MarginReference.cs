namespace SphereFace.Tests.Native;

/// <summary>Independent double-precision ψ(θ) = (−1)^k cos(mθ) − 2k with θ = acos(x), k = ⌊mθ/π⌋ (capped at m−1).</summary>
internal static class MarginReference
{
    public static double Psi(double x, int m)
    {
        double theta = Math.Acos(Math.Clamp(x, -1, 1));
        int k = Math.Min((int)Math.Floor(theta * m / Math.PI), m - 1);
        return (k % 2 == 0 ? 1 : -1) * Math.Cos(m * theta) - 2 * k;
    }

    public static int Interval(double theta, int m) => Math.Min((int)Math.Floor(theta * m / Math.PI), m - 1);
}
