using SphereFace.Graphs.Losses;
using SphereFace.Tests.Native;

namespace SphereFace.Tests.Losses;

/// <summary>Double-precision loss heads, written from the formulas, for comparison with the ONNX graphs.</summary>
internal static class LossReference
{
    public sealed record Result(double Loss, double[,] Logits, double Accuracy);

    /// <summary>Logits, mean cross-entropy and top-1 accuracy. <paramref name="weight"/> [C,D] row-major, <paramref name="bias"/> [C] or null.</summary>
    public static Result Compute(LossConfig config, float[] feature, long[] label, double lambda, float[] weight, float[]? bias, int classes)
    {
        int batch = label.Length, width = feature.Length / batch;
        var logits = new double[batch, classes];
        for (int i = 0; i < batch; i++)
        {
            var x = feature.AsSpan(i * width, width);
            double xNorm = Math.Sqrt(Dot(x, x));
            for (int j = 0; j < classes; j++)
            {
                var w = weight.AsSpan(j * width, width);
                double wNorm = Math.Sqrt(Dot(w, w));
                double xw = Dot(x, w);
                double cos = xw / (xNorm * wNorm);
                bool target = j == label[i];
                logits[i, j] = config.Head switch
                {
                    "softmax" => xw + (bias?[j] ?? 0.0),
                    "modified" => xw / wNorm,
                    "asoftmax" => target
                        ? xNorm * (lambda * cos + MarginReference.Psi(cos, config.Int("m"))) / (1 + lambda)
                        : xNorm * cos,
                    "amsoftmax" => (double)config.Float("scale") * (cos - (target ? (double)config.Float("margin") : 0)),
                    _ => throw new NotSupportedException(config.Head),
                };
            }
        }
        return new Result(MeanCrossEntropy(logits, label), logits, Accuracy(logits, label));
    }

    public static double MeanCrossEntropy(double[,] logits, long[] label)
    {
        int batch = logits.GetLength(0), classes = logits.GetLength(1);
        double total = 0;
        for (int i = 0; i < batch; i++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < classes; j++) max = Math.Max(max, logits[i, j]);
            double sum = 0;
            for (int j = 0; j < classes; j++) sum += Math.Exp(logits[i, j] - max);
            total += max + Math.Log(sum) - logits[i, label[i]];
        }
        return total / batch;
    }

    public static double Accuracy(double[,] logits, long[] label)
    {
        int batch = logits.GetLength(0), classes = logits.GetLength(1), hits = 0;
        for (int i = 0; i < batch; i++)
        {
            int best = 0;
            for (int j = 1; j < classes; j++) if (logits[i, j] > logits[i, best]) best = j;
            if (best == label[i]) hits++;
        }
        return (double)hits / batch;
    }

    /// <summary>Smallest gap between the top two logits of any row (to skip accuracy checks on near-ties).</summary>
    public static double SmallestTopGap(double[,] logits)
    {
        double gap = double.PositiveInfinity;
        for (int i = 0; i < logits.GetLength(0); i++)
        {
            var row = Enumerable.Range(0, logits.GetLength(1)).Select(j => logits[i, j]).OrderDescending().ToArray();
            gap = Math.Min(gap, row[0] - row[1]);
        }
        return gap;
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int k = 0; k < a.Length; k++) s += (double)a[k] * b[k];
        return s;
    }
}
