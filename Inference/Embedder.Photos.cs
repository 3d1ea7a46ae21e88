using OpenCvSharp;
using SphereFace.Detection;
using SphereFace.Inference.Verification;
using SphereFace.Models.Errors;

namespace SphereFace.Inference;

/// <summary>A face found in a photo and its embedding.</summary>
/// <param name="Face">Where the face is: box, score, five points (photo pixels).</param>
/// <param name="Embedding">Its L2-normalised embedding (<see cref="Embedder.Dimension"/> values).</param>
public sealed record FaceEmbedding(DetectedFace Face, float[] Embedding);

/// <summary>Photos without landmarks: the <see cref="Embedder"/> finds the faces itself (docs/detection.md).</summary>
public sealed partial class Embedder
{
    private readonly object _detectorLock = new();
    private FaceDetector? _detector;

    /// <summary>
    /// The face detector the embedder uses for photos given without landmarks (created on first use with
    /// <see cref="EmbedderOptions.Detector"/>).
    /// </summary>
    public FaceDetector Detector
    {
        get
        {
            lock (_detectorLock)
            {
                ObjectDisposedException.ThrowIf(_gate.IsClosed, this);
                return _detector ??= new FaceDetector(_detectorOptions);
            }
        }
    }

    /// <summary>Every face of a photo, best detector score first, each with its embedding; empty when the photo shows none.</summary>
    /// <exception cref="FileNotFoundException">The photo's file does not exist.</exception>
    /// <exception cref="FaceInputException">The photo cannot be decoded or is too large.</exception>
    public IReadOnlyList<FaceEmbedding> EmbedFaces(FaceImage photo)
    {
        ArgumentNullException.ThrowIfNull(photo);
        var bgr = photo.OpenBgr(out bool owned);
        try
        {
            var faces = Detector.Detect(bgr);
            if (faces.Count == 0) return [];
            var embeddings = Embed(faces.Select(f => FaceImage.FromMat(bgr, f.Landmarks, photo.Name)).ToArray());
            return faces.Select((f, i) => new FaceEmbedding(f, embeddings[i])).ToArray();
        }
        finally
        {
            if (owned) bgr.Dispose();
        }
    }

    /// <summary>Every face of an image file with its embedding (<see cref="EmbedFaces(FaceImage)"/>).</summary>
    public IReadOnlyList<FaceEmbedding> EmbedFaces(string path) => EmbedFaces(FaceImage.FromFile(path));

    /// <summary>
    /// Compares the most prominent face (the largest box) of each photo with the model's stamped threshold: the usual
    /// question "is this the same person?" asked of two photos as they are.
    /// </summary>
    /// <exception cref="FaceInputException">A photo cannot be decoded or shows no face (<see cref="FaceInputError.NoFace"/>).</exception>
    /// <exception cref="InvalidOperationException">The model carries no threshold for this representation.</exception>
    public VerificationResult Verify(FaceImage a, FaceImage b)
    {
        double threshold = BestAccuracyThreshold(); // fails before any photo is decoded
        return Verify(Embed(a), Embed(b), threshold);
    }

    /// <summary>
    /// The face to prepare: <paramref name="face"/> itself when it has landmarks or is an aligned face of the model's size;
    /// otherwise its most prominent detected face, as a photo with those landmarks (decoded here and kept in
    /// <paramref name="decoded"/>, which the caller disposes).
    /// </summary>
    private FaceImage Locate(FaceImage face, List<Mat> decoded)
    {
        if (face.Landmarks is not null) return face;
        var bgr = face.OpenBgr(out bool owned);
        if (owned) decoded.Add(bgr);
        if (AcceptsAlignedSize(bgr.Width, bgr.Height)) return FaceImage.FromMat(bgr, null, face.Name);
        var best = Detector.DetectMostProminent(bgr)
            ?? throw new FaceInputException(FaceInputError.NoFace, face.Name, $"{face.Name}: no face found ({bgr.Width}×{bgr.Height} photo); give its 5 landmarks if the detector misses a face there.");
        return FaceImage.FromMat(bgr, best.Landmarks, face.Name);
    }
}
