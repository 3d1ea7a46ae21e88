namespace SphereFace.Tests.Inference;

/// <summary>Synthetic embeddings with known structure for the protocol tests.</summary>
internal static class ConstructedEmbeddings
{
    /// <summary>Gaussian rows (no identity structure).</summary>
    public static float[] Random(int rows, int dim, int seed)
    {
        var rng = new Random(seed);
        var data = new float[rows * dim];
        for (int i = 0; i < data.Length; i++) data[i] = (float)Gaussian(rng);
        return data;
    }

    /// <summary>
    /// Rows around one random centre per identity: row i belongs to identity labels[i] and is centre + noise·N(0,1).
    /// With small noise the identities are perfectly separated.
    /// </summary>
    public static float[] Clustered(IReadOnlyList<int> labels, int dim, double noise, int seed)
    {
        var rng = new Random(seed);
        var centres = new Dictionary<int, double[]>();
        var data = new float[labels.Count * dim];
        for (int i = 0; i < labels.Count; i++)
        {
            if (!centres.TryGetValue(labels[i], out var c))
                centres[labels[i]] = c = Enumerable.Range(0, dim).Select(_ => Gaussian(rng)).ToArray();
            for (int j = 0; j < dim; j++) data[i * dim + j] = (float)(c[j] + noise * Gaussian(rng));
        }
        return data;
    }

    public static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Labels 0..identities−1, each repeated perIdentity times.</summary>
    public static int[] Labels(int identities, int perIdentity) =>
        Enumerable.Range(0, identities * perIdentity).Select(i => i / perIdentity).ToArray();

    /// <summary>Double-precision cosine.</summary>
    public static double Cos(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += (double)a[i] * b[i]; na += (double)a[i] * a[i]; nb += (double)b[i] * b[i]; }
        return dot / Math.Sqrt(na * nb);
    }
}
