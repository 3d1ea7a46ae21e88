using OpenCvSharp;
using SphereFace.Alignment;

namespace SphereFace.Inference;

/// <summary>Image entry points of <see cref="Embedder"/>: aligned faces and photos with five landmarks.</summary>
public sealed partial class Embedder
{
    private FaceAligner? _aligner;

    /// <summary>The alignment template matching the model's input size.</summary>
    public FaceTemplateKind TemplateKind => Contract.Width == 112 ? FaceTemplateKind.Sphere112x112 : FaceTemplateKind.Sphere112x96;

    private FaceAligner Aligner => _aligner ??= new FaceAligner(TemplateKind);

    /// <summary>
    /// Embeds one aligned face: BGR CV_8UC3 of exactly the model's input size (112×96 by default). A face of
    /// another size needs landmarks (<see cref="Embed(Mat, ReadOnlySpan{Point2f})"/>); an empty image is an error.
    /// </summary>
    public float[] EmbedAligned(Mat alignedBgr)
    {
        var result = new float[Dimension];
        EmbedAligned([alignedBgr], result);
        return result;
    }

    /// <summary>Embeds aligned faces; returns one embedding per face.</summary>
    public float[][] EmbedAligned(IReadOnlyList<Mat> alignedBgr)
    {
        var flat = new float[(long)alignedBgr.Count * Dimension];
        EmbedAligned(alignedBgr, flat);
        return Split(flat, alignedBgr.Count);
    }

    /// <summary>Embeds aligned faces into <paramref name="destination"/> (faces × <see cref="Dimension"/>, row-major).</summary>
    public void EmbedAligned(IReadOnlyList<Mat> alignedBgr, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(alignedBgr);
        for (int i = 0; i < alignedBgr.Count; i++) CheckAligned(alignedBgr[i], i);
        Run(alignedBgr.Count, destination, (i, tensor) => FacePreprocess.ToTensor(alignedBgr[i], tensor, TemplateKind));
    }

    /// <summary>
    /// Aligns a photo with its five landmarks (left eye, right eye, nose, left and right mouth corner, in pixels)
    /// and embeds the face. Throws <see cref="ArgumentException"/> on an empty photo or degenerate landmarks
    /// (not five, NaN/∞, coincident, far outside the image).
    /// </summary>
    public float[] Embed(Mat photo, ReadOnlySpan<Point2f> landmarks5)
    {
        var result = new float[Dimension];
        var copy = landmarks5.ToArray();
        Embed([photo], [copy], result);
        return result;
    }

    /// <summary>Aligns and embeds photos; returns one embedding per photo.</summary>
    public float[][] Embed(IReadOnlyList<Mat> photos, IReadOnlyList<Point2f[]> landmarks)
    {
        var flat = new float[(long)photos.Count * Dimension];
        Embed(photos, landmarks, flat);
        return Split(flat, photos.Count);
    }

    /// <summary>Aligns and embeds photos into <paramref name="destination"/> (photos × <see cref="Dimension"/>, row-major).</summary>
    public void Embed(IReadOnlyList<Mat> photos, IReadOnlyList<Point2f[]> landmarks, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(photos);
        ArgumentNullException.ThrowIfNull(landmarks);
        if (photos.Count != landmarks.Count) throw new ArgumentException($"{photos.Count} photos but {landmarks.Count} landmark sets.");
        for (int i = 0; i < photos.Count; i++)
        {
            if (photos[i] is null || photos[i].Empty()) throw new ArgumentException($"Photo {i} is empty.");
            try { LandmarkCheck.Validate(landmarks[i], photos[i].Size()); }
            catch (ArgumentException e) { throw new ArgumentException($"Photo {i}: {e.Message}", e); }
        }
        Run(photos.Count, destination, (i, tensor) =>
        {
            using var aligned = Aligner.Align(photos[i], landmarks[i]);
            FacePreprocess.ToTensor(aligned, tensor, TemplateKind);
        });
    }

    /// <summary>Fills each face's tensor with <paramref name="fill"/> chunk by chunk and runs the graph.</summary>
    private void Run(int count, Span<float> destination, Action<int, Span<float>> fill)
    {
        CheckDestination(count, destination.Length);
        using var pass = _gate.Enter(this);
        int len = TensorLength;
        for (int start = 0; start < count; start += _maxBatch)
        {
            int n = Math.Min(_maxBatch, count - start);
            var buffers = Rent(n);
            try
            {
                for (int i = 0; i < n; i++) fill(start + i, buffers.Input.AsSpan(i * len, len));
                Finish(buffers, n, destination.Slice(start * Dimension, n * Dimension));
            }
            finally { _pool.Return(buffers); }
        }
    }

    private void CheckAligned(Mat face, int index)
    {
        if (face is null || face.Empty()) throw new ArgumentException($"Aligned face {index} is empty.");
        if (face.Width != Contract.Width || face.Height != Contract.Height)
            throw new ArgumentException(
                $"Aligned face {index} is {face.Width}×{face.Height} (width×height); the model takes {Contract.Width}×{Contract.Height}. " +
                "Pass the photo with its 5 landmarks to align it first.");
        if (face.Type() != MatType.CV_8UC3) throw new ArgumentException($"Aligned face {index} has type {face.Type()}; expected BGR CV_8UC3.");
    }

    private float[][] Split(float[] flat, int count) =>
        Enumerable.Range(0, count).Select(i => flat.AsSpan(i * Dimension, Dimension).ToArray()).ToArray();
}
