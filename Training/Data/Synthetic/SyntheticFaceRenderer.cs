using OpenCvSharp;
using SphereFace.Graphs.Parameters;

namespace SphereFace.Training.Data.Synthetic;

/// <summary>
/// Draws one photo of a <see cref="SyntheticIdentity"/> with OpenCV: cluttered background, head, hair, ears, eyes,
/// brows, nose, mouth and facial hair, then per-photo nuisances — pose (in-plane rotation, scale, position, mild
/// yaw), expression (smile, open mouth, blink, raised brows), occluders (sunglasses, hat, an object in front of the
/// face), illumination (gain, directional gradient, colour cast), blur or low resolution, and sensor noise.
/// Returns the photo (BGR CV_8UC3) and the true five landmarks. Deterministic in the random stream.
/// </summary>
public static class SyntheticFaceRenderer
{
    // Depth (towards the camera) of each feature, for the yaw approximation.
    private const double ZEyes = 0.55, ZBrows = 0.6, ZNoseTip = 1.0, ZNose = 0.85, ZMouth = 0.7, ZSkin = 0.6;

    /// <summary>Renders a <paramref name="size"/>×<paramref name="size"/> photo; all randomness comes from <paramref name="rng"/>.</summary>
    public static (Mat Photo, Point2f[] Landmarks) Render(SyntheticIdentity id, SeededRandom rng, int size)
    {
        if (size < 48) throw new ArgumentException($"synthetic photos must be at least 48 px, got {size}.");
        var photo = new Mat(new Size(size, size), MatType.CV_8UC3);
        DrawBackground(photo, rng);

        double rotation = Math.Clamp(rng.NextGaussian() * 0.14, -0.4, 0.4);
        double yaw = Math.Clamp(rng.NextGaussian() * 0.12, -0.3, 0.3);
        double scale = size * 0.30 * rng.Uniform(0.85, 1.15);
        double cx = size / 2.0 + rng.Uniform(-0.06, 0.06) * size, cy = size / 2.0 + rng.Uniform(-0.05, 0.07) * size;
        var canvas = new FaceCanvas(photo, new FacePose(cx, cy, scale, rotation, yaw));

        double smile = rng.Uniform(-0.3, 1.0);
        double mouthOpen = rng.NextDouble() < 0.3 ? rng.Uniform(0.02, 0.12) : 0;
        double eyeOpen = rng.NextDouble() < 0.1 ? rng.Uniform(0.15, 0.45) : rng.Uniform(0.75, 1.1);
        double browRaise = rng.Uniform(-0.03, 0.06);

        DrawClothes(canvas, id, rng);
        if (id.HairStyle == 3) DrawLongHairBack(canvas, id);
        DrawEars(canvas, id);
        DrawHead(canvas, id);
        DrawHairCap(canvas, id);
        foreach (var (u, v, r) in id.Moles) canvas.Ellipse(u, v, r, r, 0, ZSkin, Scale(id.Skin, 0.35));
        if (id.Beard) DrawBeard(canvas, id);
        var eyes = DrawEyes(canvas, id, eyeOpen);
        DrawBrows(canvas, id, browRaise);
        var nose = DrawNose(canvas, id);
        var mouth = DrawMouth(canvas, id, smile, mouthOpen);
        if (id.Moustache) DrawMoustache(canvas, id, smile);
        DrawOccluders(canvas, id, rng);

        ApplyLighting(photo, rng);
        ApplyBlur(photo, rng);
        AddNoise(photo, rng);

        var landmarks = new[] { eyes.Left, eyes.Right, nose, mouth.Left, mouth.Right }
            .Select(p => new Point2f((float)p.X, (float)p.Y)).ToArray();
        return (photo, landmarks);
    }

    private static Scalar Scale(Scalar c, double f) => new(Math.Min(255, c.Val0 * f), Math.Min(255, c.Val1 * f), Math.Min(255, c.Val2 * f));

    private static Scalar RandomColour(SeededRandom rng) => new(rng.Uniform(0, 255), rng.Uniform(0, 255), rng.Uniform(0, 255));

    private static void DrawBackground(Mat photo, SeededRandom rng)
    {
        int s = photo.Width;
        var top = RandomColour(rng);
        var bottom = rng.NextDouble() < 0.5 ? RandomColour(rng) : top;
        FillGradient(photo, top, bottom);
        int shapes = rng.NextInt(6);
        for (int i = 0; i < shapes; i++)
        {
            var colour = RandomColour(rng);
            var a = new Point(rng.NextInt(s), rng.NextInt(s));
            var b = new Point(rng.NextInt(s), rng.NextInt(s));
            switch (rng.NextInt(3))
            {
                case 0: Cv2.Rectangle(photo, a, b, colour, -1, LineTypes.AntiAlias); break;
                case 1: Cv2.Circle(photo, a, 3 + rng.NextInt(s / 4), colour, -1, LineTypes.AntiAlias); break;
                default: Cv2.Line(photo, a, b, colour, 1 + rng.NextInt(6), LineTypes.AntiAlias); break;
            }
        }
    }

    private static unsafe void FillGradient(Mat photo, Scalar top, Scalar bottom)
    {
        int s = photo.Width;
        for (int y = 0; y < s; y++)
        {
            double t = y / (s - 1.0);
            byte b = (byte)Math.Round(top.Val0 + (bottom.Val0 - top.Val0) * t);
            byte g = (byte)Math.Round(top.Val1 + (bottom.Val1 - top.Val1) * t);
            byte r = (byte)Math.Round(top.Val2 + (bottom.Val2 - top.Val2) * t);
            byte* row = (byte*)photo.Ptr(y).ToPointer();
            for (int x = 0; x < s; x++) { row[3 * x] = b; row[3 * x + 1] = g; row[3 * x + 2] = r; }
        }
    }

    private static void DrawClothes(FaceCanvas c, SyntheticIdentity id, SeededRandom rng)
    {
        var shirt = RandomColour(rng);
        c.Fill([(-0.38, 0.9), (0.38, 0.9), (0.42, 1.9), (-0.42, 1.9)], 0, Scale(id.Skin, 0.85));
        c.Ellipse(0, 2.1, 1.7, 0.65, 0, 0, shirt);
    }

    private static void DrawLongHairBack(FaceCanvas c, SyntheticIdentity id) =>
        c.Fill(FaceCanvas.EllipsePoints(0, 0.15, id.HeadWidth * 1.28, id.HeadHeight * 1.18, 0, 40, Math.PI * 0.95, Math.PI * 2.05)
                .Append((id.HeadWidth * 1.2, 1.25)).Append((-id.HeadWidth * 1.2, 1.25)), -0.2, id.Hair);

    private static void DrawEars(FaceCanvas c, SyntheticIdentity id)
    {
        double v = id.EyeY + 0.18;
        foreach (int side in new[] { -1, 1 })
        {
            c.Ellipse(side * id.HeadWidth * 0.97, v, 0.11 * id.EarSize, 0.21 * id.EarSize, side * 0.15, -0.3, Scale(id.Skin, 0.92));
            c.Ellipse(side * id.HeadWidth * 0.99, v, 0.05 * id.EarSize, 0.12 * id.EarSize, side * 0.15, -0.3, Scale(id.Skin, 0.75));
        }
    }

    private static IEnumerable<(double U, double V)> HeadOutline(SyntheticIdentity id, double grow = 1.0)
    {
        const int n = 48;
        for (int i = 0; i < n; i++)
        {
            double t = 2 * Math.PI * i / n, s = Math.Sin(t);
            double u = id.HeadWidth * Math.Cos(t) * grow, v = 0.1 + id.HeadHeight * s * grow;
            if (s > 0) u *= 1 - id.JawTaper * s * s;
            yield return (u, v);
        }
    }

    private static void DrawHead(FaceCanvas c, SyntheticIdentity id)
    {
        c.Fill(HeadOutline(id), 0, id.Skin);
        // Soft cheek shading along the jaw gives the head some volume.
        c.Stroke(HeadOutline(id, 0.97).Where(p => p.V > 0.3), 0, 0.05, Scale(id.Skin, 0.9));
    }

    private static void DrawHairCap(FaceCanvas c, SyntheticIdentity id)
    {
        if (id.HairStyle == 0) return;
        double w = id.HeadWidth;
        double top = 0.1 - id.HeadHeight;
        // Outer arc over the top of the head, then the hairline back across the forehead.
        var outer = FaceCanvas.EllipsePoints(0, 0.1, w * 1.06, id.HeadHeight * 1.06, 0, 24, Math.PI * 1.02, Math.PI * 1.98);
        double line = id.HairStyle == 2 ? id.Hairline + 0.2 : id.Hairline;
        var hairline = Enumerable.Range(0, 13).Select(i =>
        {
            double u = w * (1.02 - 2.04 * i / 12.0), r = u / w;
            double v = id.HairStyle switch
            {
                2 => line + 0.04 * r * r,
                4 => line + 0.2 * r * r + 0.1 * r,
                _ => line + 0.28 * r * r,
            };
            return (u, Math.Max(v, top + 0.05));
        });
        c.Fill(outer.Concat(hairline), 0.1, id.Hair);
    }

    private static void DrawBeard(FaceCanvas c, SyntheticIdentity id)
    {
        var jaw = HeadOutline(id, 1.01).Where(p => p.V > id.MouthY - 0.25).OrderBy(p => Math.Atan2(p.V - 0.1, p.U)).ToList();
        var inner = FaceCanvas.Curve((id.MouthWidth + 0.12, id.MouthY - 0.05), (0, id.MouthY + 0.45), (-id.MouthWidth - 0.12, id.MouthY - 0.05)).Reverse();
        c.Fill(jaw.Concat(inner.Reverse()), 0.3, Scale(id.Hair, 1.05));
    }

    private static (Point2d Left, Point2d Right) DrawEyes(FaceCanvas c, SyntheticIdentity id, double open)
    {
        var centres = new Point2d[2];
        for (int k = 0; k < 2; k++)
        {
            int side = k == 0 ? -1 : 1;
            double u = side * id.EyeSpacing / 2, v = id.EyeY, tilt = side * id.EyeTilt;
            double a = id.EyeWidth, b = id.EyeWidth * id.EyeAspect * open;
            c.Ellipse(u, v, a * 1.15, Math.Max(b, 0.02) * 1.4, tilt, ZEyes, Scale(id.Skin, 0.82));
            c.Ellipse(u, v, a, Math.Max(b, 0.008), tilt, ZEyes, new Scalar(232, 236, 240));
            double ir = Math.Min(id.EyeWidth * id.EyeAspect * 0.9, a * 0.6);
            if (b > 0.02)
            {
                c.Ellipse(u, v, ir, Math.Min(ir, b), 0, ZEyes, id.Iris);
                c.Ellipse(u, v, ir * 0.45, Math.Min(ir, b) * 0.45, 0, ZEyes, new Scalar(15, 15, 15));
                c.Ellipse(u + ir * 0.3, v - Math.Min(ir, b) * 0.3, ir * 0.15, ir * 0.15, 0, ZEyes, new Scalar(250, 250, 250));
            }
            c.Stroke(FaceCanvas.EllipsePoints(u, v, a, Math.Max(b, 0.008), tilt, 16, Math.PI, 2 * Math.PI), ZEyes, 0.018, new Scalar(25, 25, 30));
            centres[k] = c.Pose.Project(u, v, ZEyes);
        }
        return (centres[0], centres[1]);
    }

    private static void DrawBrows(FaceCanvas c, SyntheticIdentity id, double raise)
    {
        var colour = id.HairStyle == 0 && !id.Beard ? Scale(id.Skin, 0.45) : Scale(id.Hair, 0.9);
        for (int side = -1; side <= 1; side += 2)
        {
            double v0 = id.EyeY - id.BrowGap - raise;
            double inner = side * (id.EyeSpacing / 2 - id.BrowLength * 0.45), outer = side * (id.EyeSpacing / 2 + id.BrowLength * 0.55);
            var a = (inner, v0);
            var e = (outer, v0 - Math.Tan(id.BrowAngle) * id.BrowLength * 0.5);
            var m = ((inner + outer) / 2, (a.v0 + e.Item2) / 2 - id.BrowArch * 2);
            var upper = FaceCanvas.Curve(a, m, e).ToList();
            var lower = upper.Select((p, i) => (p.U, p.V + id.BrowThickness * (1 - 0.5 * i / (upper.Count - 1.0)))).Reverse();
            c.Fill(upper.Concat(lower), ZBrows, colour);
        }
    }

    private static Point2d DrawNose(FaceCanvas c, SyntheticIdentity id)
    {
        // Bridge shadow on one side, the nose ball, a lighter tip and two nostrils.
        c.Stroke([(-0.06, id.EyeY + 0.06), (-id.NoseWidth * 0.55, id.NoseY - 0.02)], ZNose, 0.022, Scale(id.Skin, 0.8));
        c.Ellipse(0, id.NoseY, id.NoseWidth, id.NoseWidth * 0.45, 0, ZNose, Scale(id.Skin, 0.86));
        c.Ellipse(0, id.NoseY - 0.01, id.NoseWidth * 0.45, id.NoseWidth * 0.3, 0, ZNoseTip, Scale(id.Skin, 1.05));
        for (int s = -1; s <= 1; s += 2)
            c.Ellipse(s * id.NoseWidth * 0.5, id.NoseY + id.NoseWidth * 0.22, id.NoseWidth * 0.26, id.NoseWidth * 0.12, s * 0.3, ZNose, Scale(id.Skin, 0.55));
        return c.Pose.Project(0, id.NoseY, ZNoseTip);
    }

    private static (Point2d Left, Point2d Right) DrawMouth(FaceCanvas c, SyntheticIdentity id, double smile, double open)
    {
        double w = id.MouthWidth, y = id.MouthY, t = id.LipThickness;
        var left = (-w, y - smile * 0.05);
        var right = (w, y - smile * 0.05);
        double middle = y + smile * 0.035;
        var upperTop = FaceCanvas.Curve(left, (0, y - t * 2.2), right).ToList();
        var upperBottom = FaceCanvas.Curve(right, (0, middle - open / 2), left).ToList();
        var lowerTop = FaceCanvas.Curve(left, (0, middle + open / 2), right).ToList();
        var lowerBottom = FaceCanvas.Curve(right, (0, middle + open / 2 + t * 2.8), left).ToList();
        if (open > 0)
        {
            c.Fill(upperBottom.Concat(lowerTop), ZMouth, new Scalar(35, 30, 45));
            c.Fill(upperBottom.Take(upperBottom.Count).Concat(FaceCanvas.Curve(left, (0, middle - open / 2 + open * 0.5), right)), ZMouth, new Scalar(225, 230, 235));
        }
        c.Fill(upperTop.Concat(upperBottom), ZMouth, id.Lips);
        c.Fill(lowerTop.Concat(lowerBottom), ZMouth, Scale(id.Lips, 1.08));
        c.Stroke(FaceCanvas.Curve(left, (0, middle), right), ZMouth, 0.012, Scale(id.Lips, 0.55));
        return (c.Pose.Project(left.Item1, left.Item2, ZMouth), c.Pose.Project(right.Item1, right.Item2, ZMouth));
    }

    private static void DrawMoustache(FaceCanvas c, SyntheticIdentity id, double smile)
    {
        double w = id.MouthWidth * 1.05, y = id.MouthY - id.LipThickness * 2.2 - 0.02;
        var top = FaceCanvas.Curve((-w, y + 0.02 - smile * 0.04), (0, y - 0.12), (w, y + 0.02 - smile * 0.04));
        var bottom = FaceCanvas.Curve((w, y + 0.04 - smile * 0.04), (0, y), (-w, y + 0.04 - smile * 0.04));
        c.Fill(top.Concat(bottom), ZMouth, Scale(id.Hair, 0.95));
    }

    private static void DrawOccluders(FaceCanvas c, SyntheticIdentity id, SeededRandom rng)
    {
        if (rng.NextDouble() < 0.12)
        {
            // Sunglasses.
            var frame = new Scalar(rng.Uniform(0, 60), rng.Uniform(0, 60), rng.Uniform(0, 60));
            for (int s = -1; s <= 1; s += 2)
                c.Ellipse(s * id.EyeSpacing / 2, id.EyeY, id.EyeWidth * 1.55, id.EyeWidth * 1.05, 0, ZEyes + 0.2, frame);
            c.Stroke([(-id.EyeSpacing / 2 + id.EyeWidth, id.EyeY), (id.EyeSpacing / 2 - id.EyeWidth, id.EyeY)], ZEyes + 0.2, 0.03, frame);
        }
        if (rng.NextDouble() < 0.1)
        {
            // Hat over the top of the head.
            var hat = RandomColour(rng);
            double brim = id.Hairline + rng.Uniform(-0.05, 0.12);
            c.Fill(FaceCanvas.EllipsePoints(0, brim, id.HeadWidth * 1.15, id.HeadHeight * 0.9, 0, 20, Math.PI, 2 * Math.PI), 0.3, hat);
            c.Fill([(-id.HeadWidth * 1.35, brim), (id.HeadWidth * 1.35, brim), (id.HeadWidth * 1.35, brim + 0.08), (-id.HeadWidth * 1.35, brim + 0.08)], 0.3, Scale(hat, 0.8));
        }
        if (rng.NextDouble() < 0.12)
        {
            // An object (hand, microphone, cup) in front of part of the face, never over both eyes.
            var colour = rng.NextDouble() < 0.5 ? Scale(id.Skin, rng.Uniform(0.8, 1.1)) : RandomColour(rng);
            double u = rng.Uniform(-0.9, 0.9), v = rng.Uniform(0.2, 1.0);
            c.Ellipse(u, v, rng.Uniform(0.15, 0.35), rng.Uniform(0.15, 0.4), rng.Uniform(0, Math.PI), 1.2, colour);
        }
    }

    private static unsafe void ApplyLighting(Mat photo, SeededRandom rng)
    {
        double gain = rng.Uniform(0.65, 1.25), strength = rng.Uniform(0, 0.7), angle = rng.Uniform(0, 2 * Math.PI);
        double dx = Math.Cos(angle), dy = Math.Sin(angle);
        double b = rng.Uniform(0.88, 1.12), g = rng.Uniform(0.9, 1.1), r = rng.Uniform(0.88, 1.12);
        int s = photo.Width;
        double half = s / 2.0;
        for (int y = 0; y < s; y++)
        {
            byte* row = (byte*)photo.Ptr(y).ToPointer();
            for (int x = 0; x < s; x++)
            {
                double f = gain * (1 + strength * ((x - half) * dx + (y - half) * dy) / s);
                byte* p = row + 3 * x;
                p[0] = (byte)Math.Clamp(p[0] * f * b + 0.5, 0, 255);
                p[1] = (byte)Math.Clamp(p[1] * f * g + 0.5, 0, 255);
                p[2] = (byte)Math.Clamp(p[2] * f * r + 0.5, 0, 255);
            }
        }
    }

    private static void ApplyBlur(Mat photo, SeededRandom rng)
    {
        double pick = rng.NextDouble();
        if (pick < 0.4)
            Cv2.GaussianBlur(photo, photo, new Size(0, 0), rng.Uniform(0.4, 1.4));
        else if (pick < 0.55)
        {
            // Low resolution: down-sample and back.
            var size = photo.Size();
            double f = rng.Uniform(0.35, 0.7);
            using var small = new Mat();
            Cv2.Resize(photo, small, new Size(Math.Max(8, (int)(size.Width * f)), Math.Max(8, (int)(size.Height * f))), 0, 0, InterpolationFlags.Area);
            Cv2.Resize(small, photo, size, 0, 0, InterpolationFlags.Linear);
        }
    }

    private static unsafe void AddNoise(Mat photo, SeededRandom rng)
    {
        double sigma = rng.Uniform(1, 8);
        int s = photo.Width;
        for (int y = 0; y < s; y++)
        {
            byte* row = (byte*)photo.Ptr(y).ToPointer();
            for (int i = 0; i < 3 * s; i++)
            {
                // Irwin–Hall: the sum of four uniforms is close to normal and cheap (variance 4/12).
                ulong bits = rng.NextUInt64();
                double u = ((bits & 0xFFFF) + ((bits >> 16) & 0xFFFF) + ((bits >> 32) & 0xFFFF) + (bits >> 48)) / 65536.0 - 2.0;
                row[i] = (byte)Math.Clamp(row[i] + u * 1.7320508 * sigma + 0.5, 0, 255);
            }
        }
    }
}
