using System.Numerics.Tensors;

namespace SphereFace.Inference.Evaluation;

/// <summary>
/// A row-major matrix of embeddings: <see cref="Count"/> rows of <see cref="Dimension"/> floats. The evaluation
/// protocols take their features in this form, independent of how they were computed or stored.
/// </summary>
public sealed class EmbeddingMatrix
{
    private readonly float[] _data;

    /// <summary>Wraps <paramref name="data"/> (not copied) as <paramref name="count"/> × <paramref name="dimension"/>.</summary>
    public EmbeddingMatrix(float[] data, int count, int dimension)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (count < 0 || dimension < 1) throw new ArgumentException($"Embedding matrix shape [{count},{dimension}] is invalid; expected count ≥ 0 and dimension ≥ 1.");
        if ((long)count * dimension != data.Length)
            throw new ArgumentException($"Embedding matrix data has {data.Length} floats; shape [{count},{dimension}] needs {(long)count * dimension}.");
        _data = data;
        Count = count;
        Dimension = dimension;
    }

    /// <summary>Number of rows.</summary>
    public int Count { get; }

    /// <summary>Width of each row.</summary>
    public int Dimension { get; }

    /// <summary>The underlying row-major data.</summary>
    public ReadOnlySpan<float> Data => _data;

    /// <summary>Row <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Row(int index) => _data.AsSpan(index * Dimension, Dimension);

    /// <summary>Stacks equally long rows.</summary>
    public static EmbeddingMatrix FromRows(IReadOnlyList<float[]> rows)
    {
        if (rows.Count == 0) throw new ArgumentException("No embeddings given.");
        int d = rows[0].Length;
        var data = new float[(long)rows.Count * d];
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != d) throw new ArgumentException($"Embedding {i} has {rows[i].Length} values; embedding 0 has {d}.");
            rows[i].CopyTo(data, i * d);
        }
        return new EmbeddingMatrix(data, rows.Count, d);
    }

    /// <summary>
    /// A copy with every row scaled to unit L2 norm, so cosine similarity becomes a dot product.
    /// Throws naming the row when a row holds NaN/∞ or is all zeros (its cosine is undefined).
    /// </summary>
    public EmbeddingMatrix Normalized()
    {
        var copy = new float[_data.Length];
        for (int i = 0; i < Count; i++)
        {
            var src = Row(i);
            var dst = copy.AsSpan(i * Dimension, Dimension);
            CheckFinite(src, i);
            float norm = TensorPrimitives.Norm(src);
            if (!(norm > 0f)) throw new ArgumentException($"Embedding {i} is all zeros; its cosine similarity is undefined.");
            TensorPrimitives.Divide(src, norm, dst);
        }
        return new EmbeddingMatrix(copy, Count, Dimension);
    }

    /// <summary>Throws when <paramref name="row"/> holds a NaN or infinite value.</summary>
    internal static void CheckFinite(ReadOnlySpan<float> row, int index)
    {
        for (int j = 0; j < row.Length; j++)
            if (!float.IsFinite(row[j])) throw new ArgumentException($"Embedding {index} holds a non-finite value ({row[j]}) at position {j}.");
    }
}
