namespace SphereFace.Graphs.Parameters;

/// <summary>How a parameter's initial values are drawn (the Caffe fillers the original SphereFace uses).</summary>
public abstract record Filler
{
    /// <summary>Fills <paramref name="data"/> for a tensor of <paramref name="shape"/>.</summary>
    public abstract void Fill(Span<float> data, long[] shape, SeededRandom rng);

    /// <summary>Caffe "xavier" (variance_norm FAN_IN): uniform in ±sqrt(3 / fan_in), fan_in = count / shape[0].</summary>
    public sealed record Xavier : Filler
    {
        /// <inheritdoc/>
        public override void Fill(Span<float> data, long[] shape, SeededRandom rng)
        {
            double fanIn = (double)data.Length / shape[0];
            double scale = Math.Sqrt(3.0 / fanIn);
            for (int i = 0; i < data.Length; i++) data[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        }
    }

    /// <summary>Caffe "gaussian": normal with mean 0 and the given standard deviation.</summary>
    public sealed record Gaussian(double Std) : Filler
    {
        /// <inheritdoc/>
        public override void Fill(Span<float> data, long[] shape, SeededRandom rng)
        {
            for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextGaussian() * Std);
        }
    }

    /// <summary>Caffe "constant": every value equal.</summary>
    public sealed record Constant(float Value) : Filler
    {
        /// <inheritdoc/>
        public override void Fill(Span<float> data, long[] shape, SeededRandom rng) => data.Fill(Value);
    }
}
