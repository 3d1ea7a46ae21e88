using SphereFace.Graphs.Parameters;

namespace SphereFace.Training.Data;

/// <summary>
/// An in-memory data set of <see cref="Samples"/> fixed random samples (values uniform in [−1, 1), the range of
/// normalised pixels) with labels <c>i mod classes</c>: labels carry no information about the content, so a
/// net can only fit them by memorising. Used for development runs and the memorisation test.
/// Samples are served in the seeded <see cref="SampleOrder"/> (a fresh shuffle every epoch), so a source created from a checkpoint's <see cref="SampleOrderState"/> continues
/// exactly where the saved one stood.
/// </summary>
public sealed class RandomLabelBatchSource : IBatchSource
{
    private readonly float[] _samples;
    private readonly long[] _labels;
    private readonly int _sampleLength;
    private readonly SampleOrder _order;
    private readonly BatchShard _shard;
    private long _position;   // at a global batch boundary between calls

    /// <summary>
    /// Creates the set. <paramref name="sampleLength"/> is the number of floats per sample (3·112·96 for faces).
    /// <paramref name="resumeFrom"/> continues a saved order (its seed must equal <paramref name="seed"/>).
    /// </summary>
    public RandomLabelBatchSource(int samples, int classes, int batchSize, int sampleLength, ulong seed, SampleOrderState? resumeFrom = null, BatchShard? shard = null)
    {
        _shard = shard ?? BatchShard.Whole;
        if (samples < 1 || classes < 1 || batchSize < 1 || sampleLength < 1)
            throw new ArgumentException($"Random data set needs samples, classes, batch and sample length ≥ 1 (got {samples}, {classes}, {batchSize}, {sampleLength}).");
        if (resumeFrom is not null && resumeFrom.Seed != seed)
            throw new ArgumentException($"Sample order from seed {resumeFrom.Seed} cannot continue a data set seeded with {seed}.");
        Samples = samples;
        Classes = classes;
        BatchSize = batchSize;
        Seed = seed;
        _sampleLength = sampleLength;
        _samples = new float[(long)samples * sampleLength];
        var rng = SeededRandom.ForName(seed, "random-label-samples");
        for (int i = 0; i < _samples.Length; i++) _samples[i] = (float)rng.Uniform(-1, 1);
        _labels = Enumerable.Range(0, samples).Select(i => (long)(i % classes)).ToArray();
        _order = new SampleOrder(samples, seed);
        _position = resumeFrom is null ? 0 : _order.PositionOf(resumeFrom);
    }

    /// <summary>Number of samples in the set.</summary>
    public int Samples { get; }
    /// <summary>Seed of the contents and the order.</summary>
    public ulong Seed { get; }
    /// <inheritdoc/>
    public int BatchSize { get; }
    /// <inheritdoc/>
    public int Classes { get; }
    /// <inheritdoc/>
    public SampleOrderState State => _order.StateAt(_position);

    /// <inheritdoc/>
    public string Digest => $"random: {Samples} samples, {Classes} classes, seed {Seed}";

    /// <summary>The label of sample <paramref name="index"/>.</summary>
    public long Label(int index) => _labels[index];

    /// <summary>The values of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Sample(int index) => _samples.AsSpan(index * _sampleLength, _sampleLength);

    /// <inheritdoc/>
    public void Next(Span<float> data, Span<long> labels)
    {
        if (data.Length != BatchSize * _sampleLength || labels.Length != BatchSize)
            throw new ArgumentException($"Batch buffers hold {data.Length} values and {labels.Length} labels; expected {BatchSize * _sampleLength} and {BatchSize}.");
        for (int b = 0; b < BatchSize; b++)
        {
            int index = _order.At(_shard.Position(_position, 0, BatchSize, b));
            Sample(index).CopyTo(data.Slice(b * _sampleLength, _sampleLength));
            labels[b] = _labels[index];
        }
        _position += (long)BatchSize * _shard.Count;
    }

    /// <inheritdoc/>
    public void Dispose() { }
}
