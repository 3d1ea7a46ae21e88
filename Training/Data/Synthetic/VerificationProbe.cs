using OpenCvSharp;
using SphereFace.Alignment;
using SphereFace.Training.Data.Formats;
using SphereFace.Alignment.Formats;

namespace SphereFace.Training.Data.Synthetic;

/// <summary>
/// A quick difficulty probe of a face set's verification pairs: the scored pairs whose 10-fold accuracy
/// (<c>FoldAccuracy</c> of the Inference library, as in LFW's protocol) the <c>stats</c> command reports; the score is the
/// cosine similarity between aligned faces, either on raw pixels or on the vectors a caller's function gives (the
/// <c>stats</c> command embeds them with the Inference library's <c>Embedder</c>, which reads the model's input contract).
/// Used to show the set is not trivial.
/// </summary>
public static class VerificationProbe
{
    /// <summary>One scored pair.</summary>
    public readonly record struct ScoredPair(double Score, bool Same, int Fold);

    /// <summary>
    /// Scores every pair of <c>DIR/pairs.txt</c>. <paramref name="embed"/> maps a batch of aligned faces
    /// (float CHW tensors as in <see cref="FacePreprocess"/>) to vectors; null uses the pixels themselves, centred.
    /// </summary>
    public static IReadOnlyList<ScoredPair> Score(string setDir, Func<IReadOnlyList<float[]>, float[][]>? embed = null)
    {
        string images = Path.Combine(setDir, SyntheticFaceSet.ImagesFolder);
        var folds = PairsFile.Read(Path.Combine(setDir, SyntheticFaceSet.PairsFileName));
        var marks = LandmarkListFile.Read(Path.Combine(setDir, SyntheticFaceSet.LandmarksFile)).ToDictionary(e => e.RelativePath, StringComparer.Ordinal);
        var paths = folds.SelectMany(f => f.All).SelectMany(p => new[] { Rel(p.Name1, p.Number1), Rel(p.Name2, p.Number2) }).Distinct().ToList();
        var aligner = new FaceAligner();
        var tensors = new float[paths.Count][];
        Parallel.For(0, paths.Count, i =>
        {
            if (!marks.TryGetValue(paths[i], out var entry))
                throw new InvalidDataException($"pairs file names '{paths[i]}', which has no landmarks in {SyntheticFaceSet.LandmarksFile}.");
            using var photo = PhotoReader.Read(Path.Combine(images, paths[i]));
            if (photo.Empty()) throw new InvalidDataException($"cannot read '{Path.Combine(images, paths[i])}'.");
            using var face = aligner.Align(photo, entry.Points);
            tensors[i] = new float[FacePreprocess.TensorLength(FaceTemplateKind.Sphere112x96)];
            FacePreprocess.ToTensor(face, tensors[i]);
        });
        var vectors = embed is null ? tensors.Select(Centre).ToArray() : embed(tensors);
        var index = paths.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i, StringComparer.Ordinal);
        var scored = new List<ScoredPair>();
        for (int f = 0; f < folds.Count; f++)
            foreach (var p in folds[f].All)
                scored.Add(new ScoredPair(Cosine(vectors[index[Rel(p.Name1, p.Number1)]], vectors[index[Rel(p.Name2, p.Number2)]]), p.Same, f));
        return scored;

        static string Rel(string name, int n) => FacePair.ImagePath(name, n, ".png");
    }

    private static float[] Centre(float[] v)
    {
        float mean = v.Average();
        return v.Select(x => x - mean).ToArray();
    }

    private static double Cosine(float[] a, float[] b)
    {
        double s = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(a, b);
        return double.IsFinite(s) ? s : 0;
    }

}
