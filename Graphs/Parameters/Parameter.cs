namespace SphereFace.Graphs.Parameters;

/// <summary>
/// One trainable tensor: name, shape, values (row-major float32) and the Caffe-style solver multipliers
/// (learning-rate and weight-decay multipliers applied on top of the global lr and decay).
/// </summary>
public sealed class Parameter
{
    /// <summary>Creates a parameter; <paramref name="data"/> length must match <paramref name="shape"/>.</summary>
    public Parameter(string name, long[] shape, float[] data, float lrMult = 1f, float decayMult = 1f)
    {
        long count = shape.Aggregate(1L, (a, d) => a * d);
        if (count != data.Length)
            throw new ArgumentException($"Parameter '{name}': {data.Length} values for shape [{string.Join(",", shape)}] ({count} expected).");
        Name = name;
        Shape = shape;
        Data = data;
        LrMult = lrMult;
        DecayMult = decayMult;
    }

    /// <summary>Graph value name, e.g. "conv1_1/weight".</summary>
    public string Name { get; }
    /// <summary>Tensor shape.</summary>
    public long[] Shape { get; }
    /// <summary>Values, row-major.</summary>
    public float[] Data { get; }
    /// <summary>Learning-rate multiplier (Caffe lr_mult).</summary>
    public float LrMult { get; }
    /// <summary>Weight-decay multiplier (Caffe decay_mult).</summary>
    public float DecayMult { get; }
    /// <summary>Number of values.</summary>
    public long Count => Data.Length;
}
