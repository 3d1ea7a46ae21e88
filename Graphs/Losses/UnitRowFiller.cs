using SphereFace.Graphs.Parameters;

namespace SphereFace.Graphs.Losses;

/// <summary>Rows of independent standard normal draws scaled to unit length (random directions on the sphere).</summary>
public sealed record UnitRowFiller : Filler
{
    /// <inheritdoc/>
    public override void Fill(Span<float> data, long[] shape, SeededRandom rng)
    {
        int width = (int)(data.Length / shape[0]);
        for (int r = 0; r < shape[0]; r++)
        {
            var row = data.Slice(r * width, width);
            double sum = 0;
            for (int i = 0; i < width; i++)
            {
                double v = rng.NextGaussian();
                row[i] = (float)v;
                sum += v * v;
            }
            float inv = (float)(1 / Math.Sqrt(sum));
            for (int i = 0; i < width; i++) row[i] *= inv;
        }
    }
}
