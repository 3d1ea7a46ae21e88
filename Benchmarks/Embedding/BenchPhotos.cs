using OpenCvSharp;

namespace SphereFace.Benchmarks.Embedding;

/// <summary>
/// Decoded test photos for the embedding benchmark: smoothed random 250×250 BGR images (LFW's size) with five
/// landmarks jittered around a frontal face layout, so alignment does real warps. Reproducible from a seed.
/// </summary>
public sealed class BenchPhotos : IDisposable
{
    private static readonly Point2f[] Layout = [new(105, 115), new(145, 115), new(125, 140), new(109, 162), new(141, 162)];

    /// <summary>Creates <paramref name="count"/> photos.</summary>
    public BenchPhotos(int count, int seed)
    {
        var rng = new Random(seed);
        var photos = new Mat[count];
        var landmarks = new Point2f[count][];
        var bytes = new byte[250 * 250 * 3];
        for (int i = 0; i < count; i++)
        {
            rng.NextBytes(bytes);
            var m = new Mat(250, 250, MatType.CV_8UC3);
            System.Runtime.InteropServices.Marshal.Copy(bytes, 0, m.Data, bytes.Length);
            Cv2.GaussianBlur(m, m, new Size(7, 7), 2);
            photos[i] = m;
            float scale = (float)(0.8 + 0.4 * rng.NextDouble()), dx = (float)(rng.NextDouble() * 20 - 10), dy = (float)(rng.NextDouble() * 20 - 10);
            landmarks[i] = Layout.Select(p => new Point2f(125 + (p.X - 125) * scale + dx, 125 + (p.Y - 125) * scale + dy)).ToArray();
        }
        Photos = photos;
        Landmarks = landmarks;
    }

    /// <summary>The photos.</summary>
    public IReadOnlyList<Mat> Photos { get; }

    /// <summary>Five landmarks per photo.</summary>
    public IReadOnlyList<Point2f[]> Landmarks { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var p in Photos) p.Dispose();
    }
}
