namespace SphereFace.Graphs.Quantization;

/// <summary>
/// ONNX's linear quantization (QuantizeLinear / DequantizeLinear): q = saturate(round(x / scale) + zero_point) with
/// rounding half to even, x̂ = (q − zero_point) · scale. Activations are uint8 with a zero point (asymmetric), weights
/// int8 per output channel with zero point 0 (symmetric), biases int32 with scale = input scale × weight scale.
/// </summary>
public static class QuantizationMath
{
    /// <summary>uint8 parameters covering [min, max] (widened to include 0, so 0 is exact): scale = (max − min)/255.</summary>
    /// <exception cref="ArgumentException">A bound is not finite or min &gt; max.</exception>
    public static (float Scale, byte ZeroPoint) Uint8(float min, float max)
    {
        if (!float.IsFinite(min) || !float.IsFinite(max) || min > max) throw new ArgumentException($"Range [{min}, {max}] is not a finite interval.");
        min = Math.Min(min, 0f);
        max = Math.Max(max, 0f);
        if (max == min) return (1f, 0);
        float scale = (max - min) / 255f;
        double zero = Math.Round(-min / (double)scale, MidpointRounding.ToEven);
        return (scale, (byte)Math.Clamp(zero, 0, 255));
    }

    /// <summary>Quantizes to uint8 as QuantizeLinear does (x / scale in float32, then rounding half to even).</summary>
    public static byte ToUint8(float x, float scale, byte zeroPoint) =>
        (byte)Math.Clamp(Math.Round((double)(x / scale), MidpointRounding.ToEven) + zeroPoint, 0, 255);

    /// <summary>
    /// Symmetric int8 weights per output channel (axis 0 of <paramref name="shape"/>): scale_c = max|w_c| / 127,
    /// q = round(w / scale_c) in [−127, 127]. An all-zero channel gets scale 1.
    /// </summary>
    public static (sbyte[] Values, float[] Scales) Int8PerChannel(ReadOnlySpan<float> weights, long[] shape)
    {
        int channels = (int)shape[0];
        int per = weights.Length / channels;
        var q = new sbyte[weights.Length];
        var scales = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            var w = weights.Slice(c * per, per);
            float max = 0;
            foreach (float v in w) max = Math.Max(max, Math.Abs(v));
            float scale = max > 0 ? max / 127f : 1f;
            scales[c] = scale;
            for (int i = 0; i < per; i++)
                q[c * per + i] = (sbyte)Math.Clamp(Math.Round(w[i] / (double)scale, MidpointRounding.ToEven), -127, 127);
        }
        return (q, scales);
    }

    /// <summary>A bias as int32 with scale input scale × weight scale per channel (zero point 0).</summary>
    public static (int[] Values, float[] Scales) Int32Bias(ReadOnlySpan<float> bias, float inputScale, ReadOnlySpan<float> weightScales)
    {
        var q = new int[bias.Length];
        var scales = new float[bias.Length];
        for (int c = 0; c < bias.Length; c++)
        {
            scales[c] = inputScale * weightScales[c];
            q[c] = (int)Math.Clamp(Math.Round(bias[c] / (double)scales[c], MidpointRounding.ToEven), int.MinValue, int.MaxValue);
        }
        return (q, scales);
    }
}
