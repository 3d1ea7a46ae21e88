using OpenCvSharp;
using SphereFace.Alignment;
using SphereFace.Graphs.Parameters;
using SphereFace.Training.Data.Synthetic;

namespace SphereFace.Training.Data;

/// <summary>
/// Aligned faces held in memory (8-bit BGR crops of the template size) with labels: a dataset plus decoder for
/// <see cref="FaceBatchSource"/> that never touches the disk — for tests and quick experiments.
/// </summary>
public sealed class InMemoryFaceSet
{
    private readonly byte[][] _crops;
    private readonly Size _size;

    /// <summary>Copies <paramref name="faces"/> (BGR CV_8UC3, all of the template size of <paramref name="kind"/>) and their labels.</summary>
    public InMemoryFaceSet(IReadOnlyList<(Mat Face, int Label)> faces, int classes, FaceTemplateKind kind = FaceTemplateKind.Sphere112x96)
    {
        _size = FaceTemplate.Size(kind);
        _crops = new byte[faces.Count][];
        var samples = new FaceSample[faces.Count];
        for (int i = 0; i < faces.Count; i++)
        {
            var (face, label) = faces[i];
            if (face.Size() != _size || face.Type() != MatType.CV_8UC3)
                throw new ArgumentException($"face {i} is {face.Width}×{face.Height} {face.Type()}, expected {_size.Width}×{_size.Height} CV_8UC3.");
            using var contiguous = face.Clone();
            _crops[i] = new byte[_size.Width * _size.Height * 3];
            System.Runtime.InteropServices.Marshal.Copy(contiguous.Data, _crops[i], 0, _crops[i].Length);
            samples[i] = new FaceSample($"memory:{i}", label, null);
        }
        Dataset = new FaceDataset("memory", Enumerable.Range(0, classes).Select(c => $"class_{c}").ToList(), samples);
    }

    /// <summary>The samples (paths "memory:i", no landmarks: already aligned).</summary>
    public FaceDataset Dataset { get; }

    /// <summary>A decoder for <see cref="FaceBatchSource"/> returning a copy of the stored crop.</summary>
    public Mat Decode(FaceSample sample)
    {
        int i = int.Parse(sample.Path.AsSpan("memory:".Length), System.Globalization.CultureInfo.InvariantCulture);
        return Mat.FromPixelData(_size.Height, _size.Width, MatType.CV_8UC3, _crops[i]).Clone();
    }

    /// <summary>A batch source over this set.</summary>
    public FaceBatchSource CreateSource(FaceBatchSourceOptions options) => new(Dataset, options, Decode);

    /// <summary>
    /// Renders <paramref name="identities"/> × <paramref name="perIdentity"/> synthetic photos (as the <c>synth</c>
    /// verb does, without writing files) and aligns them with their true landmarks. Deterministic in the seed.
    /// </summary>
    public static InMemoryFaceSet Synthetic(int identities, int perIdentity, ulong seed = 1, int photoSize = 160,
                                            FaceTemplateKind kind = FaceTemplateKind.Sphere112x96)
    {
        if (identities < 1 || perIdentity < 1) throw new ArgumentException($"need at least one identity and one image each, got {identities} × {perIdentity}.");
        var aligner = new FaceAligner(kind);
        var faces = new (Mat, int)[identities * perIdentity];
        Parallel.For(0, identities, i =>
        {
            var id = SyntheticIdentity.Sample(SeededRandom.ForName(seed, $"identity {i}"));
            for (int n = 0; n < perIdentity; n++)
            {
                var (photo, marks) = SyntheticFaceRenderer.Render(id, SeededRandom.ForName(seed, $"photo {i} {n + 1}"), photoSize);
                using (photo) faces[i * perIdentity + n] = (aligner.Align(photo, marks), i);
            }
        });
        try { return new InMemoryFaceSet(faces, identities, kind); }
        finally { foreach (var (m, _) in faces) m.Dispose(); }
    }
}
