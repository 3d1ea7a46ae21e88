namespace SphereFace.Training.Data.Synthetic;

/// <summary>Size and shape of a generated synthetic face set (see <see cref="SyntheticFaceSet"/>).</summary>
public sealed record SyntheticFaceSetOptions
{
    /// <summary>Total identities (train + test).</summary>
    public int Identities { get; init; } = 600;

    /// <summary>Share of identities held out for testing (disjoint from training), in (0, 1).</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Images of the most frequent training identity.</summary>
    public int MaxImagesPerIdentity { get; init; } = 40;

    /// <summary>Fewest images of a training identity (≥ 1).</summary>
    public int MinImagesPerIdentity { get; init; } = 4;

    /// <summary>
    /// Long-tail exponent s: the training identity of (random) rank r gets max(min, round(max · r^−s)) images;
    /// 0 is balanced, larger is more imbalanced.
    /// </summary>
    public double Imbalance { get; init; } = 0.3;

    /// <summary>Images of each test identity (≥ 2, so matched pairs exist).</summary>
    public int TestImagesPerIdentity { get; init; } = 10;

    /// <summary>Photo side in pixels (square).</summary>
    public int ImageSize { get; init; } = 160;

    /// <summary>Folds of the pairs file (LFW: 10); test identities are split between folds.</summary>
    public int Folds { get; init; } = 10;

    /// <summary>Matched pairs per fold, and as many mismatched (LFW: 300).</summary>
    public int PairsPerFold { get; init; } = 300;

    /// <summary>Seed of everything; the same seed and options give byte-identical files.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Parallel render threads (output does not depend on it).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Most identities of a synthetic set (ten times CASIA-WebFace's; each is held in memory while rendering).</summary>
    public const int MaxIdentities = 100_000;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the first out-of-range option, as <paramref name="name"/> spells it
    /// (default: the snake_case field name; the command line passes its flags, e.g. <c>--pairs-per-fold</c>).
    /// </summary>
    public void Validate(Func<string, string>? name = null)
    {
        string N(string field) => name?.Invoke(field) ?? field;
        if (Identities is < 4 or > MaxIdentities) throw new Models.Errors.InputException($"{N("identities")} must be in 4…{MaxIdentities}, got {Identities}.");
        if (!(TestFraction > 0 && TestFraction < 1)) throw new Models.Errors.InputException($"{N("test_fraction")} must be in (0, 1), got {TestFraction}.");
        if (MinImagesPerIdentity < 1) throw new Models.Errors.InputException($"{N("min_images")} must be ≥ 1, got {MinImagesPerIdentity}.");
        if (MaxImagesPerIdentity < MinImagesPerIdentity) throw new Models.Errors.InputException($"{N("max_images")} ({MaxImagesPerIdentity}) must be ≥ {N("min_images")} ({MinImagesPerIdentity}).");
        if (MaxImagesPerIdentity > 9999) throw new Models.Errors.InputException($"{N("max_images")} must be ≤ 9999 (4-digit file numbers), got {MaxImagesPerIdentity}.");
        if (!(Imbalance >= 0 && Imbalance <= 5)) throw new Models.Errors.InputException($"{N("imbalance")} must be in [0, 5], got {Imbalance}.");
        if (TestImagesPerIdentity is < 2 or > 9999) throw new Models.Errors.InputException($"{N("test_images")} must be in [2, 9999], got {TestImagesPerIdentity}.");
        if (ImageSize is < 64 or > 1024) throw new Models.Errors.InputException($"{N("size")} must be in [64, 1024], got {ImageSize}.");
        if (Folds < 1) throw new Models.Errors.InputException($"{N("folds")} must be ≥ 1, got {Folds}.");
        if (PairsPerFold < 1) throw new Models.Errors.InputException($"{N("pairs_per_fold")} must be ≥ 1, got {PairsPerFold}.");
        if (Threads is < 1 or > Models.Native.ThreadCount.Max) throw new Models.Errors.InputException($"{N("threads")} must be in 1…{Models.Native.ThreadCount.Max}, got {Threads}.");
        if (TestIdentityCount < 2 * Folds)
            throw new Models.Errors.InputException($"{TestIdentityCount} test identities cannot fill {Folds} folds (each fold needs at least 2); raise {N("identities")} or {N("test_fraction")}, or lower {N("folds")}.");
        int smallestFold = TestIdentityCount / Folds;
        long matched = (long)smallestFold * TestImagesPerIdentity * (TestImagesPerIdentity - 1) / 2;
        if (matched < PairsPerFold)
            throw new Models.Errors.InputException(
                $"a fold of {smallestFold} test identities × {TestImagesPerIdentity} images has only {matched} distinct matched pairs, fewer than {N("pairs_per_fold")} {PairsPerFold}; lower {N("pairs_per_fold")} or {N("folds")}, or raise {N("identities")}/{N("test_images")}.");
        if (Identities - TestIdentityCount < 2) throw new Models.Errors.InputException($"at least 2 training identities are needed; lower {N("test_fraction")}.");
    }

    /// <summary>
    /// These options with <see cref="Folds"/> and <see cref="PairsPerFold"/> lowered, where not <paramref name="foldsGiven"/>
    /// or <paramref name="pairsGiven"/> by the user, to what the test identities can fill (each fold needs 2 identities and
    /// enough distinct matched pairs): what the command line does for a small <see cref="Identities"/>.
    /// </summary>
    public SyntheticFaceSetOptions WithPairsThatFit(bool foldsGiven, bool pairsGiven)
    {
        var fitted = this;
        if (!foldsGiven) fitted = fitted with { Folds = Math.Clamp(TestIdentityCount / 2, 1, Folds) };
        long matched = (long)(fitted.TestIdentityCount / fitted.Folds) * TestImagesPerIdentity * (TestImagesPerIdentity - 1) / 2;
        if (!pairsGiven && matched >= 1) fitted = fitted with { PairsPerFold = (int)Math.Min(PairsPerFold, matched) };
        return fitted;
    }

    /// <summary>How many identities are held out.</summary>
    public int TestIdentityCount => Math.Max(1, (int)Math.Round(Identities * TestFraction));
}
