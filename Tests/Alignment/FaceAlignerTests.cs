using OpenCvSharp;
using SphereFace.Alignment;

namespace SphereFace.Tests.Alignment;

[TestClass]
public sealed class FaceAlignerTests
{
    /// <summary>
    /// A photo whose only content is a Gaussian blob (σ in pixels) centred on each landmark, rendered analytically
    /// in double precision with OpenCV's convention (pixel (x, y) has its centre at integer coordinates x, y).
    /// </summary>
    private static Mat BlobPhoto(Size size, Point2f[] landmarks, double sigma)
    {
        var photo = new Mat(size, MatType.CV_8UC3, Scalar.All(0));
        for (int y = 0; y < size.Height; y++)
            for (int x = 0; x < size.Width; x++)
            {
                double v = 0;
                foreach (var p in landmarks)
                {
                    double dx = x - p.X, dy = y - p.Y;
                    v += Math.Exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
                }
                byte b = (byte)Math.Clamp(Math.Round(250 * v), 0, 255);
                photo.Set(y, x, new Vec3b(b, b, b));
            }
        return photo;
    }

    /// <summary>Intensity-weighted centroid of the aligned image in a window around <paramref name="near"/>.</summary>
    private static (double X, double Y) Centroid(Mat aligned, Point2f near, int radius)
    {
        double sw = 0, sx = 0, sy = 0;
        int cx = (int)Math.Round(near.X), cy = (int)Math.Round(near.Y);
        for (int y = cy - radius; y <= cy + radius; y++)
            for (int x = cx - radius; x <= cx + radius; x++)
            {
                if (x < 0 || y < 0 || x >= aligned.Width || y >= aligned.Height) continue;
                double v = aligned.At<Vec3b>(y, x).Item0;
                sw += v; sx += v * x; sy += v * y;
            }
        return (sx / sw, sy / sw);
    }

    private static Point2f[] PhotoLandmarks(FaceTemplateKind kind, double angle, double scale, double tx, double ty, Random noise, double noisePx)
    {
        var t = FaceTemplate.Points(kind);
        return t.Select(p => new Point2f(
            (float)(scale * (Math.Cos(angle) * p.X - Math.Sin(angle) * p.Y) + tx + noisePx * (noise.NextDouble() - 0.5)),
            (float)(scale * (Math.Sin(angle) * p.X + Math.Cos(angle) * p.Y) + ty + noisePx * (noise.NextDouble() - 0.5)))).ToArray();
    }

    [TestMethod]
    [DataRow(FaceTemplateKind.Sphere112x96, 0.35, 1.6, 60.0, 20.0)]
    [DataRow(FaceTemplateKind.Sphere112x96, -0.5, 2.2, 20.0, 40.0)]
    [DataRow(FaceTemplateKind.Sphere112x112, 0.1, 1.3, 30.0, 35.0)]
    public void LandmarksOfASyntheticPhotoLandOnTheTemplate(FaceTemplateKind kind, double angle, double scale, double tx, double ty)
    {
        var landmarks = PhotoLandmarks(kind, angle, scale, tx, ty, new Random(3), noisePx: 1.0);
        using var photo = BlobPhoto(new Size(260, 260), landmarks, sigma: 1.6 * scale);
        var aligner = new FaceAligner(kind);
        using var aligned = aligner.Align(photo, landmarks);
        Assert.AreEqual(FaceTemplate.Size(kind), aligned.Size());
        Assert.AreEqual(MatType.CV_8UC3, aligned.Type());
        var m = aligner.TransformFor(landmarks, photo.Size());
        var template = FaceTemplate.Points(kind);
        for (int i = 0; i < 5; i++)
        {
            var (mx, my) = SimilarityTransform.Apply(m, landmarks[i].X, landmarks[i].Y);
            var (cx, cy) = Centroid(aligned, template[i], radius: 6);
            // The blob found in the warped image is where the transform says the landmark goes (pixel-centre convention)...
            Assert.AreEqual(mx, cx, 0.2, $"landmark {i} x");
            Assert.AreEqual(my, cy, 0.2, $"landmark {i} y");
            // ...and within 1 px of the template point.
            double d = Math.Sqrt((cx - template[i].X) * (cx - template[i].X) + (cy - template[i].Y) * (cy - template[i].Y));
            Assert.IsLessThan(1.0, d, $"landmark {i} is {d:0.###} px from the template");
        }
    }

    [TestMethod]
    public void SquareVariantIsTheNarrowCropShiftedByEightColumns()
    {
        var landmarks = PhotoLandmarks(FaceTemplateKind.Sphere112x96, 0.2, 1.8, 50, 30, new Random(5), 2.0);
        using var photo = new Mat(new Size(250, 250), MatType.CV_8UC3);
        Cv2.Randu(photo, Scalar.All(0), Scalar.All(255));
        // Smooth content: OpenCV quantises sample positions to 1/32 px, so rounding may differ between the two warps.
        Cv2.GaussianBlur(photo, photo, new Size(0, 0), 3);
        using var narrow = new FaceAligner(FaceTemplateKind.Sphere112x96).Align(photo, landmarks);
        using var square = new FaceAligner(FaceTemplateKind.Sphere112x112).Align(photo, landmarks);
        using var middle = new Mat(square, new Rect(8, 0, 96, 112));
        using var diff = new Mat();
        Cv2.Absdiff(middle, narrow, diff);
        Cv2.MinMaxLoc(diff.Reshape(1), out _, out double maxDiff);
        Assert.IsLessThanOrEqualTo(2.0, maxDiff);
    }

    [TestMethod]
    public void DegenerateLandmarksAndEmptyImagesGiveClearErrors()
    {
        var aligner = new FaceAligner();
        using var photo = new Mat(new Size(100, 100), MatType.CV_8UC3, Scalar.All(0));
        var good = PhotoLandmarks(FaceTemplateKind.Sphere112x96, 0, 0.8, 5, 5, new Random(1), 0);

        var coincident = (Point2f[])good.Clone();
        coincident[4] = coincident[3];
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => aligner.Align(photo, coincident)).Message, "coincide");

        var nan = (Point2f[])good.Clone();
        nan[0] = new Point2f(float.NaN, 3);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => aligner.Align(photo, nan)).Message, "left eye");

        var far = (Point2f[])good.Clone();
        far[2] = new Point2f(5000, 40);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => aligner.Align(photo, far)).Message, "far outside");

        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => aligner.Align(photo, good.AsSpan(0, 3))).Message, "expected 5");

        using var empty = new Mat();
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => aligner.Align(empty, good)).Message, "empty");
    }

    /// <summary>
    /// Reading the template 1-based (the original MATLAB alignment) moves every template point by (−1, −1) in OpenCV's
    /// coordinates, so the crop shows the same photo one pixel further down and right: crop₁(x, y) = crop₀(x + 1, y + 1).
    /// </summary>
    [TestMethod]
    public void TheOneBasedTemplateShiftsTheCropByExactlyOnePixel()
    {
        using var photo = new Mat(250, 250, MatType.CV_8UC3);
        var rng = new Random(4);
        var bytes = new byte[250 * 250 * 3];
        rng.NextBytes(bytes);
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, photo.Data, bytes.Length);
        Point2f[] landmarks = [new(96.3f, 111.2f), new(151.7f, 109.8f), new(124.4f, 141.1f), new(101.9f, 171.6f), new(147.2f, 169.3f)];
        using var zero = new FaceAligner(FaceTemplateKind.Sphere112x96, TemplateOrigin.ZeroBased).Align(photo, landmarks);
        using var one = new FaceAligner(FaceTemplateKind.Sphere112x96, TemplateOrigin.OneBased).Align(photo, landmarks);
        var t0 = FaceTemplate.Points(FaceTemplateKind.Sphere112x96);
        var t1 = FaceTemplate.Points(FaceTemplateKind.Sphere112x96, TemplateOrigin.OneBased);
        for (int i = 0; i < 5; i++) Assert.AreEqual(new Point2f(t0[i].X - 1, t0[i].Y - 1), t1[i]);
        int maxDiff = 0, differing = 0;
        for (int y = 0; y < 111; y++)
            for (int x = 0; x < 95; x++)
            {
                var a = one.At<Vec3b>(y, x);
                var b = zero.At<Vec3b>(y + 1, x + 1);
                int d = Math.Max(Math.Abs(a.Item0 - b.Item0), Math.Max(Math.Abs(a.Item1 - b.Item1), Math.Abs(a.Item2 - b.Item2)));
                if (d > 0) differing++;
                maxDiff = Math.Max(maxDiff, d);
            }
        Console.WriteLine($"1-based crop vs 0-based crop shifted by one pixel: {differing} of {111 * 95} pixels differ, by at most {maxDiff}");
        // The transforms differ by exactly (−1, −1) in crop coordinates …
        var m0 = new FaceAligner().TransformFor(landmarks, photo.Size());
        var m1 = new FaceAligner(FaceTemplateKind.Sphere112x96, TemplateOrigin.OneBased).TransformFor(landmarks, photo.Size());
        for (int r = 0; r < 2; r++)
        {
            Assert.AreEqual(m0[r, 0], m1[r, 0], 1e-9);
            Assert.AreEqual(m0[r, 1], m1[r, 1], 1e-9);
            Assert.AreEqual(m0[r, 2] - 1, m1[r, 2], 1e-9);
        }
        // … so the crops sample the same source positions; OpenCV's warp rounds each position to 1/32 px, which on this
        // pixel-noise texture moves a few values (measured: 116 of 10,545 pixels, by up to 7 levels).
        Assert.IsLessThan(0.02 * 111 * 95, differing, "all but the fixed-point rounding's pixels are identical");
        using var unshifted = new Mat();
        Cv2.Absdiff(one, zero, unshifted);
        Assert.IsGreaterThan(10.0, Cv2.Mean(unshifted).Val0, "unshifted, the crops differ (random texture)");
    }
}
