using OpenCvSharp;
using SphereFace.Alignment;

namespace SphereFace.Tests.Alignment;

[TestClass]
public sealed class SimilarityTransformTests
{
    /// <summary>
    /// Umeyama (1991) in double precision with OpenCV's SVD: Σ = (1/n)Σ(y−μy)(x−μx)ᵀ = U D Vᵀ,
    /// S = diag(1, sign(det U·det V)), R = U S Vᵀ, c = tr(D S)/σx², t = μy − c R μx.
    /// </summary>
    private static double[,] UmeyamaReference(Point2f[] from, Point2f[] to)
    {
        int n = from.Length;
        double mx = from.Average(p => (double)p.X), my = from.Average(p => (double)p.Y);
        double nx = to.Average(p => (double)p.X), ny = to.Average(p => (double)p.Y);
        double varX = 0;
        var cov = new double[2, 2];
        for (int i = 0; i < n; i++)
        {
            double ax = from[i].X - mx, ay = from[i].Y - my, bx = to[i].X - nx, by = to[i].Y - ny;
            varX += (ax * ax + ay * ay) / n;
            cov[0, 0] += bx * ax / n; cov[0, 1] += bx * ay / n;
            cov[1, 0] += by * ax / n; cov[1, 1] += by * ay / n;
        }
        using var sigma = new Mat(2, 2, MatType.CV_64FC1);
        for (int r = 0; r < 2; r++) for (int c = 0; c < 2; c++) sigma.Set(r, c, cov[r, c]);
        using var w = new Mat(); using var u = new Mat(); using var vt = new Mat();
        Cv2.SVDecomp(sigma, w, u, vt);
        double detU = u.At<double>(0, 0) * u.At<double>(1, 1) - u.At<double>(0, 1) * u.At<double>(1, 0);
        double detV = vt.At<double>(0, 0) * vt.At<double>(1, 1) - vt.At<double>(0, 1) * vt.At<double>(1, 0);
        double s2 = detU * detV < 0 ? -1 : 1;
        var rot = new double[2, 2];
        for (int r = 0; r < 2; r++)
            for (int c = 0; c < 2; c++)
                rot[r, c] = u.At<double>(r, 0) * vt.At<double>(0, c) + s2 * u.At<double>(r, 1) * vt.At<double>(1, c);
        double scale = (w.At<double>(0) + s2 * w.At<double>(1)) / varX;
        return new double[,]
        {
            { scale * rot[0, 0], scale * rot[0, 1], nx - scale * (rot[0, 0] * mx + rot[0, 1] * my) },
            { scale * rot[1, 0], scale * rot[1, 1], ny - scale * (rot[1, 0] * mx + rot[1, 1] * my) },
        };
    }

    private static Point2f[] RandomPoints(Random rng, int n, double spread) =>
        Enumerable.Range(0, n).Select(_ => new Point2f((float)(rng.NextDouble() * spread), (float)(rng.NextDouble() * spread))).ToArray();

    [TestMethod]
    public void MatchesUmeyamaReferenceOnNoisyPointSets()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 200; trial++)
        {
            var from = RandomPoints(rng, 5, 200);
            double angle = rng.NextDouble() * 2 * Math.PI, s = 0.2 + rng.NextDouble() * 3;
            var to = from.Select(p => new Point2f(
                (float)(s * (Math.Cos(angle) * p.X - Math.Sin(angle) * p.Y) + 30 + rng.NextDouble() * 8),
                (float)(s * (Math.Sin(angle) * p.X + Math.Cos(angle) * p.Y) - 12 + rng.NextDouble() * 8))).ToArray();
            var got = FaceAligner.EstimateSimilarity(from, to);
            var expected = UmeyamaReference(from, to);
            for (int r = 0; r < 2; r++)
                for (int c = 0; c < 3; c++)
                    Assert.AreEqual(expected[r, c], got[r, c], 1e-9 * (1 + Math.Abs(expected[r, c])), $"trial {trial} element ({r},{c})");
        }
    }

    [TestMethod]
    public void MatchesUmeyamaWhenTargetIsMirrored()
    {
        // A reflection cannot be represented; Umeyama's sign correction and the closed form must agree.
        var rng = new Random(11);
        var from = RandomPoints(rng, 5, 100);
        var to = from.Select(p => new Point2f(100 - p.X + (float)rng.NextDouble(), p.Y)).ToArray();
        var got = FaceAligner.EstimateSimilarity(from, to);
        var expected = UmeyamaReference(from, to);
        for (int r = 0; r < 2; r++)
            for (int c = 0; c < 3; c++)
                Assert.AreEqual(expected[r, c], got[r, c], 1e-9 * (1 + Math.Abs(expected[r, c])));
    }

    [TestMethod]
    public void RecoversAnExactSimilarityOntoTheTemplate()
    {
        var template = FaceTemplate.Points(FaceTemplateKind.Sphere112x96);
        double angle = 0.3, s = 1.7, tx = 40, ty = -5;
        var photo = template.Select(p => new Point2f(
            (float)(s * (Math.Cos(angle) * p.X - Math.Sin(angle) * p.Y) + tx),
            (float)(s * (Math.Sin(angle) * p.X + Math.Cos(angle) * p.Y) + ty))).ToArray();
        var m = FaceAligner.EstimateSimilarity(photo, template);
        for (int i = 0; i < 5; i++)
        {
            var (x, y) = SimilarityTransform.Apply(m, photo[i].X, photo[i].Y);
            Assert.AreEqual(template[i].X, x, 1e-4);
            Assert.AreEqual(template[i].Y, y, 1e-4);
        }
        Assert.AreEqual(1 / s, SimilarityTransform.Scale(m), 1e-6);
    }

    [TestMethod]
    public void RejectsCoincidentAndNonFinitePoints()
    {
        var same = Enumerable.Repeat(new Point2f(3, 4), 5).ToArray();
        var template = FaceTemplate.Points(FaceTemplateKind.Sphere112x96);
        var e = Assert.ThrowsExactly<ArgumentException>(() => FaceAligner.EstimateSimilarity(same, template));
        StringAssert.Contains(e.Message, "coincide");
        var nan = (Point2f[])template.Clone();
        nan[2] = new Point2f(float.NaN, 1);
        e = Assert.ThrowsExactly<ArgumentException>(() => FaceAligner.EstimateSimilarity(nan, template));
        StringAssert.Contains(e.Message, "not finite");
        Assert.ThrowsExactly<ArgumentException>(() => FaceAligner.EstimateSimilarity(template.AsSpan(0, 4), template));
    }
}
