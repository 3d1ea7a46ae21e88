namespace SphereFace.Inference.Evaluation;

/// <summary>
/// Keeps the <c>k + 1</c> largest of a stream of impostor scores, which is all that TAR@FAR needs, so protocols
/// with hundreds of millions of impostor pairs run in constant memory. Not thread-safe; merge per-thread tails
/// with <see cref="Merge"/>.
/// </summary>
public sealed class ScoreTail
{
    private readonly PriorityQueue<float, float> _heap = new(); // min-heap of the largest scores seen
    private readonly int _capacity;

    /// <summary>Keeps the <paramref name="k"/> + 1 largest scores.</summary>
    public ScoreTail(long k)
    {
        if (k < 0 || k > int.MaxValue - 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be in [0, int.MaxValue − 1].");
        _capacity = (int)k + 1;
    }

    /// <summary>Number of scores offered so far.</summary>
    public long Count { get; private set; }

    /// <summary>Offers one score (NaN is rejected with an exception).</summary>
    public void Add(float score)
    {
        if (float.IsNaN(score)) throw new ArgumentException("Impostor score is NaN.");
        Count++;
        if (_heap.Count < _capacity) _heap.Enqueue(score, score);
        else if (score > _heap.Peek()) _heap.EnqueueDequeue(score, score);
    }

    /// <summary>Adds everything <paramref name="other"/> kept (and its count).</summary>
    public void Merge(ScoreTail other)
    {
        foreach (var (score, _) in other._heap.UnorderedItems)
        {
            if (_heap.Count < _capacity) _heap.Enqueue(score, score);
            else if (score > _heap.Peek()) _heap.EnqueueDequeue(score, score);
        }
        Count += other.Count;
    }

    /// <summary>
    /// The (k+1)-th largest score offered, i.e. the lowest threshold t with at most k impostor scores strictly
    /// above t; −∞ when k or fewer scores were offered.
    /// </summary>
    public float Threshold => _heap.Count < _capacity ? float.NegativeInfinity : _heap.Peek();
}
