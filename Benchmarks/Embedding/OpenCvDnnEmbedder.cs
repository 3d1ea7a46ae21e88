using System.Numerics.Tensors;
using OpenCvSharp;
using OpenCvSharp.Dnn;
using SphereFace.Alignment;

namespace SphereFace.Benchmarks.Embedding;

/// <summary>
/// The benchmark's peer: OpenCV DNN running the same <c>embedding.onnx</c> with the same alignment and
/// preprocessing as <see cref="SphereFace.Inference.Embedder"/>. Not thread-safe (one OpenCV net).
/// </summary>
public sealed class OpenCvDnnEmbedder : IDisposable
{
    private readonly Net _net;
    private readonly FaceAligner _aligner = new();
    private readonly int _embeddingSize;
    private const int Len = 3 * 112 * 96;

    /// <summary>Loads the model with <c>CvDnn.ReadNetFromOnnx</c>.</summary>
    public OpenCvDnnEmbedder(string modelPath, int embeddingSize)
    {
        _net = CvDnn.ReadNetFromOnnx(modelPath) ?? throw new InvalidDataException($"{modelPath}: OpenCV DNN cannot read the model.");
        _embeddingSize = embeddingSize;
    }

    /// <summary>Aligns, preprocesses and embeds photos into <paramref name="destination"/> (L2-normalised rows).</summary>
    public void Embed(IReadOnlyList<Mat> photos, IReadOnlyList<Point2f[]> landmarks, Span<float> destination)
    {
        int n = photos.Count;
        using var blob = new Mat([n, 3, 112, 96], MatType.CV_32FC1);
        unsafe
        {
            var data = new Span<float>(blob.Data.ToPointer(), n * Len);
            for (int i = 0; i < n; i++)
            {
                using var aligned = _aligner.Align(photos[i], landmarks[i]);
                FacePreprocess.ToTensor(aligned, data.Slice(i * Len, Len));
            }
        }
        _net.SetInput(blob, "data");
        using var output = _net.Forward("embedding");
        unsafe
        {
            var result = new ReadOnlySpan<float>(output.Data.ToPointer(), n * _embeddingSize);
            for (int i = 0; i < n; i++)
            {
                var row = destination.Slice(i * _embeddingSize, _embeddingSize);
                result.Slice(i * _embeddingSize, _embeddingSize).CopyTo(row);
                TensorPrimitives.Divide(row, TensorPrimitives.Norm(row), row);
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _net.Dispose();
}
