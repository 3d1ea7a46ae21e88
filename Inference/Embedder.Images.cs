using SphereFace.Models.Errors;
using OpenCvSharp;
using SphereFace.Alignment;

namespace SphereFace.Inference;

/// <summary>
/// Image entry points of <see cref="Embedder"/>: aligned faces and photos with five landmarks, given as OpenCV images
/// (BGR, BGRA or grayscale), files, encoded bytes or streams.
/// </summary>
public sealed partial class Embedder
{
    private FaceInputPreparation? _preparation;

    /// <summary>How this Embedder turns faces into network inputs (alignment, crop, normalisation per its contract).</summary>
    public FaceInputPreparation Preparation => _preparation ??= new FaceInputPreparation(Contract);

    /// <summary>The alignment template matching the model's input size.</summary>
    public FaceTemplateKind TemplateKind => Preparation.TemplateKind;

    /// <summary>
    /// Embeds one aligned face of exactly the model's input size (112×96 by default; a 112×112 face aligned to the square
    /// template is cropped to its middle 96 columns, <see cref="AcceptsAlignedSize"/>), 8-bit BGR, BGRA or grayscale.
    /// A face of another size needs landmarks (<see cref="Embed(Mat, ReadOnlySpan{Point2f})"/>).
    /// </summary>
    /// <exception cref="FaceInputException">The face is empty, of another size, or not an 8-bit 1/3/4-channel image.</exception>
    /// <exception cref="ObjectDisposedException">The embedder has been disposed.</exception>
    public float[] EmbedAligned(Mat alignedFace)
    {
        var result = new float[Dimension];
        EmbedAligned([alignedFace], result);
        return result;
    }

    /// <summary>Embeds aligned faces; returns one embedding per face.</summary>
    /// <exception cref="FaceInputException">A face is empty, of another size or type; the message gives its index.</exception>
    public float[][] EmbedAligned(IReadOnlyList<Mat> alignedFaces)
    {
        var flat = new float[(long)alignedFaces.Count * Dimension];
        EmbedAligned(alignedFaces, flat);
        return Split(flat, alignedFaces.Count);
    }

    /// <summary>Embeds aligned faces into <paramref name="destination"/> (faces × <see cref="Dimension"/>, row-major).</summary>
    /// <exception cref="FaceInputException">A face is empty, of another size or type.</exception>
    /// <exception cref="ArgumentException">The destination's length is wrong.</exception>
    public void EmbedAligned(IReadOnlyList<Mat> alignedFaces, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(alignedFaces);
        for (int i = 0; i < alignedFaces.Count; i++) CheckAligned(alignedFaces[i], $"Aligned face {i}");
        Embed(alignedFaces.Select((m, i) => FaceImage.FromMat(m, null, $"Aligned face {i}")).ToArray(), destination);
    }

    /// <summary>
    /// Aligns a photo (8-bit BGR, BGRA or grayscale) with its five landmarks (left eye, right eye, nose, left and
    /// right mouth corner, in pixels) and embeds the face.
    /// </summary>
    /// <exception cref="FaceInputException">The photo is empty or of another type, or the landmarks are degenerate
    /// (not five, NaN/∞, coincident, far outside the image).</exception>
    public float[] Embed(Mat photo, ReadOnlySpan<Point2f> landmarks5)
    {
        var result = new float[Dimension];
        Embed([photo], [landmarks5.ToArray()], result);
        return result;
    }

    /// <summary>Reads an image file (JPEG, PNG, …), aligns it with its five landmarks and embeds the face; without
    /// landmarks, a file of the model's input size is taken as an aligned face, and any other photo's most prominent
    /// face (the largest the detector finds) is embedded.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FaceInputException">The file is not a decodable image, the landmarks are invalid, or a face without landmarks shows no face (<see cref="FaceInputError"/>).</exception>
    public float[] Embed(string path, IReadOnlyList<Point2f>? landmarks5 = null) => Embed(FaceImage.FromFile(path, landmarks5));

    /// <summary>Decodes an encoded image (JPEG, PNG, …) and embeds it as <see cref="Embed(string, IReadOnlyList{Point2f})"/> does.</summary>
    /// <exception cref="FaceInputException">The bytes are not a decodable image, the landmarks are invalid, or a face without landmarks shows no face (<see cref="FaceInputError"/>).</exception>
    public float[] Embed(byte[] encoded, IReadOnlyList<Point2f>? landmarks5 = null) => Embed(FaceImage.FromEncoded(encoded, landmarks5));

    /// <summary>Reads a stream to its end, decodes it and embeds it as <see cref="Embed(string, IReadOnlyList{Point2f})"/> does.</summary>
    /// <exception cref="FaceInputException">The stream's content is not a decodable image, the landmarks are invalid, or a face without landmarks shows no face (<see cref="FaceInputError"/>).</exception>
    public float[] Embed(Stream encoded, IReadOnlyList<Point2f>? landmarks5 = null)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        using var buffer = new MemoryStream();
        encoded.CopyTo(buffer);
        return Embed(FaceImage.FromEncoded(buffer.ToArray(), landmarks5, "image stream"));
    }

    /// <summary>Embeds one face (a photo with landmarks, or an aligned face).</summary>
    /// <exception cref="FileNotFoundException">The face's file does not exist.</exception>
    /// <exception cref="FaceInputException">The face's file or bytes are not a decodable image, the landmarks are invalid, or a face without landmarks shows no face (<see cref="FaceInputError"/>).</exception>
    public float[] Embed(FaceImage face)
    {
        var result = new float[Dimension];
        Embed([face], result);
        return result;
    }

    /// <summary>Aligns and embeds photos; returns one embedding per photo.</summary>
    /// <exception cref="FaceInputException">A photo is empty or of another type, or its landmarks are degenerate.</exception>
    /// <exception cref="ArgumentException">The counts differ.</exception>
    public float[][] Embed(IReadOnlyList<Mat> photos, IReadOnlyList<Point2f[]> landmarks)
    {
        var flat = new float[(long)photos.Count * Dimension];
        Embed(photos, landmarks, flat);
        return Split(flat, photos.Count);
    }

    /// <summary>Aligns and embeds photos into <paramref name="destination"/> (photos × <see cref="Dimension"/>, row-major).</summary>
    /// <exception cref="FaceInputException">A photo is empty or of another type, or its landmarks are degenerate.</exception>
    /// <exception cref="ArgumentException">The counts differ, or the destination's length is wrong.</exception>
    public void Embed(IReadOnlyList<Mat> photos, IReadOnlyList<Point2f[]> landmarks, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(photos);
        ArgumentNullException.ThrowIfNull(landmarks);
        if (photos.Count != landmarks.Count) throw new ArgumentException($"{photos.Count} photos but {landmarks.Count} landmark sets.");
        for (int i = 0; i < photos.Count; i++)
        {
            if (photos[i] is null || photos[i].Empty()) throw new FaceInputException(FaceInputError.UnsupportedImage, $"Photo {i}", $"Photo {i} is empty.");
            try { LandmarkCheck.Validate(landmarks[i], photos[i].Size()); }
            catch (ArgumentException e) { throw new FaceInputException(FaceInputError.InvalidLandmarks, $"Photo {i}", $"Photo {i}: {e.Message}", e); }
        }
        Embed(photos.Select((m, i) => FaceImage.FromMat(m, landmarks[i], $"Photo {i}")).ToArray(), destination);
    }

    /// <summary>Embeds faces; returns one embedding per face.</summary>
    /// <exception cref="FileNotFoundException">A face's file does not exist.</exception>
    /// <exception cref="FaceInputException">A face's file or bytes are not a decodable image, the landmarks are invalid, or a face without landmarks shows no face (<see cref="FaceInputError"/>).</exception>
    public float[][] Embed(IReadOnlyList<FaceImage> faces)
    {
        ArgumentNullException.ThrowIfNull(faces);
        var flat = new float[(long)faces.Count * Dimension];
        Embed(faces, flat);
        return Split(flat, faces.Count);
    }

    /// <summary>Embeds faces into <paramref name="destination"/> (faces × <see cref="Dimension"/>, row-major).</summary>
    /// <exception cref="FaceInputException">As <see cref="Embed(FaceImage)"/>.</exception>
    /// <exception cref="ArgumentException">A wrong destination length.</exception>
    public void Embed(IReadOnlyList<FaceImage> faces, Span<float> destination) => Embed(faces, destination, CancellationToken.None);

    /// <summary>
    /// Embeds faces on the thread pool, decoding and running one batch (<see cref="EmbedderOptions.MaxBatch"/> faces)
    /// at a time; cancellation is honoured between batches.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="FileNotFoundException">A face's file does not exist.</exception>
    /// <exception cref="FaceInputException">A face's file or bytes are not a decodable image, the landmarks are invalid, or a face without landmarks shows no face (<see cref="FaceInputError"/>).</exception>
    public Task<float[][]> EmbedAsync(IReadOnlyList<FaceImage> faces, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(faces);
        return Task.Run(() =>
        {
            var flat = new float[(long)faces.Count * Dimension];
            Embed(faces, flat, cancellationToken);
            return Split(flat, faces.Count);
        }, cancellationToken);
    }

    private void Embed(IReadOnlyList<FaceImage> faces, Span<float> destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(faces);
        CheckDestination(faces.Count, destination.Length);
        using var pass = _gate.Enter(this);
        int len = TensorLength;
        for (int start = 0; start < faces.Count; start += _maxBatch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = Math.Min(_maxBatch, faces.Count - start);
            var buffers = Rent(n);
            var decoded = new List<Mat>();
            try
            {
                for (int i = 0; i < n; i++) Preparation.Prepare(Locate(faces[start + i], decoded), buffers.Input.AsSpan(i * len, len));
                Finish(buffers, n, destination.Slice(start * Dimension, n * Dimension));
            }
            finally
            {
                _pool.Return(buffers);
                foreach (var m in decoded) m.Dispose();
            }
        }
    }

    /// <summary>
    /// Whether an aligned face of this size can be embedded: the model's input size, or, for a 112×96 model, a face
    /// aligned to the 112×112 template, of which columns 8–103 are exactly the 112×96 crop
    /// (<see cref="FaceInputPreparation.AcceptsAlignedSize"/>).
    /// </summary>
    public bool AcceptsAlignedSize(int width, int height) => Preparation.AcceptsAlignedSize(width, height);

    private void CheckAligned(Mat face, string name) => Preparation.CheckAligned(face, name);

    private float[][] Split(float[] flat, int count) =>
        Enumerable.Range(0, count).Select(i => flat.AsSpan(i * Dimension, Dimension).ToArray()).ToArray();
}
