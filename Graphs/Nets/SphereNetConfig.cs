namespace SphereFace.Graphs.Nets;

/// <summary>
/// A SphereFace residual net (Liu et al. 2017, Table 2): four stages of widths 64/128/256/512, each opening
/// with a 3×3 stride-2 conv + PReLU and followed by residual units; then FC 512·7·6 → <see cref="EmbeddingSize"/>.
/// </summary>
/// <param name="Depth">4, 10, 20, 36 or 64.</param>
/// <param name="LastRelu">Keep a ReLU after the embedding FC (ablation of App. E; the paper's nets have none).</param>
/// <param name="EmbeddingSize">Width of the embedding (512 in the paper; 3 for the sphere3d experiment).</param>
/// <param name="ResidualBias">Give the residual units' convolutions a bias, as PyTorch ports of the net do
/// (sphereface_pytorch's sphere20a); the original Caffe net keeps those biases at 0 and the project's nets have none.</param>
public sealed record SphereNetConfig(int Depth = 20, bool LastRelu = false, int EmbeddingSize = 512, bool ResidualBias = false)
{
    /// <summary>Input height in pixels (aligned face).</summary>
    public const int InputHeight = 112;
    /// <summary>Input width in pixels (aligned face).</summary>
    public const int InputWidth = 96;
    /// <summary>Widest embedding: the FC weight (512·7·6 × width floats) must stay one addressable tensor.</summary>
    public const int MaxEmbeddingSize = int.MaxValue / (512 * 7 * 6);
    /// <summary>Stage widths.</summary>
    public static readonly int[] Widths = [64, 128, 256, 512];

    /// <summary>Residual units per stage for each supported depth.</summary>
    public static IReadOnlyDictionary<int, int[]> UnitsByDepth { get; } = new Dictionary<int, int[]>
    {
        [4] = [0, 0, 0, 0],
        [10] = [0, 1, 2, 0],
        [20] = [1, 2, 4, 1],
        [36] = [2, 4, 8, 2],
        [64] = [3, 8, 16, 3],
    };

    /// <summary>Residual units per stage for this depth.</summary>
    public int[] Units => UnitsByDepth.TryGetValue(Depth, out var u) ? u
        : throw new Models.Errors.InputException($"Unknown SphereFace depth {Depth}; expected one of 4, 10, 20, 36, 64.");

    /// <summary>
    /// Multiply-adds of one forward pass (one face): every 3×3 conv (stride-2 first conv of a stage, then the residual
    /// convs) and the embedding FC; PReLU and the residual adds are not counted.
    /// </summary>
    public long MultiplyAddsPerImage()
    {
        long total = 0, channels = 3, h = InputHeight, w = InputWidth;
        for (int stage = 0; stage < 4; stage++)
        {
            long width = Widths[stage];
            h = (h + 2 - 3) / 2 + 1;
            w = (w + 2 - 3) / 2 + 1;
            total += width * channels * 9 * h * w + 2L * Units[stage] * width * width * 9 * h * w;
            channels = width;
        }
        return total + channels * h * w * EmbeddingSize;
    }

    /// <summary>Canonical name, e.g. "sphere20".</summary>
    public string Name => $"sphere{Depth}";

    /// <summary>Parses "sphere20", "sf20", "20" (case-insensitive).</summary>
    public static SphereNetConfig Parse(string net, bool lastRelu = false, int embeddingSize = 512)
    {
        string s = net.Trim().ToLowerInvariant();
        foreach (var prefix in new[] { "sphereface", "sphere", "sf-", "sf" })
            if (s.StartsWith(prefix, StringComparison.Ordinal)) { s = s[prefix.Length..]; break; }
        if (!int.TryParse(s, out int depth) || !UnitsByDepth.ContainsKey(depth))
            throw new Models.Errors.InputException($"Unknown net '{net}'; expected sphere4, sphere10, sphere20, sphere36 or sphere64.");
        if (embeddingSize is < 1 or > MaxEmbeddingSize) throw new Models.Errors.InputException($"Embedding size must be in 1…{MaxEmbeddingSize}, got {embeddingSize}.");
        return new SphereNetConfig(depth, lastRelu, embeddingSize);
    }
}
