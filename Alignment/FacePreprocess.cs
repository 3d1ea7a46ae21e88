using OpenCvSharp;

namespace SphereFace.Alignment;

/// <summary>
/// Turns an aligned BGR face into the network input: float32 planar CHW in RGB order, each pixel p mapped to
/// (p − 127.5) / 128, optionally mirrored left–right.
/// </summary>
public static class FacePreprocess
{
    /// <summary>Subtracted from every 8-bit pixel value (the input contract's, <see cref="Models.InputContract.PixelMean"/>).</summary>
    public const float Mean = Models.InputContract.PixelMean;

    /// <summary>Multiplies the centred value (<see cref="Models.InputContract.PixelScale"/>).</summary>
    public const float Scale = Models.InputContract.PixelScale;

    /// <summary>
    /// Writes <paramref name="alignedBgr"/> (BGR CV_8UC3, exactly one of the template sizes 96×112 or 112×112)
    /// into <paramref name="dest"/> (at least 3·H·W floats) as CHW RGB (p − 127.5)/128, mirrored when
    /// <paramref name="flipHorizontal"/>. Throws <see cref="ArgumentException"/> naming the expected size/type.
    /// </summary>
    public static void ToTensor(Mat alignedBgr, Span<float> dest, bool flipHorizontal = false)
    {
        ArgumentNullException.ThrowIfNull(alignedBgr);
        var size = alignedBgr.Size();
        if (!FaceTemplate.All.Any(k => FaceTemplate.Size(k) == size))
            throw new ArgumentException(
                $"aligned face must be {Describe(FaceTemplateKind.Sphere112x96)} or {Describe(FaceTemplateKind.Sphere112x112)} BGR CV_8UC3, got {size.Width}×{size.Height} {alignedBgr.Type()}.");
        Write(alignedBgr, dest, flipHorizontal);
    }

    /// <summary>As <see cref="ToTensor(Mat, Span{float}, bool)"/> but requiring exactly the size of <paramref name="kind"/>.</summary>
    public static void ToTensor(Mat alignedBgr, Span<float> dest, FaceTemplateKind kind, bool flipHorizontal = false)
    {
        ArgumentNullException.ThrowIfNull(alignedBgr);
        if (alignedBgr.Size() != FaceTemplate.Size(kind))
            throw new ArgumentException(
                $"aligned face must be {Describe(kind)} BGR CV_8UC3, got {alignedBgr.Width}×{alignedBgr.Height} {alignedBgr.Type()}.");
        Write(alignedBgr, dest, flipHorizontal);
    }

    /// <summary>Floats needed for one face of <paramref name="kind"/> (3·H·W).</summary>
    public static int TensorLength(FaceTemplateKind kind)
    {
        var s = FaceTemplate.Size(kind);
        return 3 * s.Width * s.Height;
    }

    private static string Describe(FaceTemplateKind kind)
    {
        var s = FaceTemplate.Size(kind);
        return $"{s.Width}×{s.Height} (width×height)";
    }

    private static unsafe void Write(Mat bgr, Span<float> dest, bool flip)
    {
        if (bgr.Type() != MatType.CV_8UC3)
            throw new ArgumentException($"aligned face must be BGR CV_8UC3 ({bgr.Width}×{bgr.Height}), got type {bgr.Type()}.");
        int w = bgr.Width, h = bgr.Height, plane = w * h;
        if (dest.Length < 3 * plane)
            throw new ArgumentException($"destination holds {dest.Length} floats; a {w}×{h} face needs {3 * plane} (3·H·W).");
        var r = dest.Slice(0, plane);
        var g = dest.Slice(plane, plane);
        var b = dest.Slice(2 * plane, plane);
        for (int y = 0; y < h; y++)
        {
            byte* row = (byte*)bgr.Ptr(y).ToPointer();
            int o = y * w;
            for (int x = 0; x < w; x++)
            {
                int sx = flip ? w - 1 - x : x;
                byte* px = row + 3 * sx;
                b[o + x] = (px[0] - Mean) * Scale;
                g[o + x] = (px[1] - Mean) * Scale;
                r[o + x] = (px[2] - Mean) * Scale;
            }
        }
    }
}
