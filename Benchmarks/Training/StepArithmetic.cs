using System.Text.Json;

namespace SphereFace.Benchmarks.Training;

/// <summary>
/// Multiply-adds and kernel time of one matrix-product op type per step: ONNX's Conv, ConvTranspose, Gemm, MatMul and
/// the oneDNN plugin's Conv, ConvGradInput and ConvGradWeight (counted as direct convolution, also when they ran as
/// Winograd, which needs fewer multiplies: their rate is then a direct-equivalent rate).
/// </summary>
public sealed record ArithmeticShare(string OpType, int Nodes, double GigaMacsPerStep, double MillisecondsPerStep)
{
    /// <summary>Achieved rate of this op type: 2 flops per multiply-add over its kernel time (0 when no time was recorded).</summary>
    public double GflopsPerSecond => MillisecondsPerStep > 0 ? 2 * GigaMacsPerStep / (MillisecondsPerStep / 1000) : 0;
}

/// <summary>
/// Counts the multiply-adds of the matrix-product ops in an ONNX Runtime profile from the shapes it records
/// (<c>input_type_shape</c>, <c>output_type_shape</c>), so a step's arithmetic can be set against its time.
/// </summary>
public static class StepArithmetic
{
    /// <summary>
    /// Multiply-adds per step by op type, from <paramref name="path"/> covering <paramref name="steps"/> runs after
    /// <paramref name="warmupRuns"/> skipped ones.
    /// Conv: output elements × weight[1]·kh·kw (weight[1] is C/group; also the plugin's Conv, whose nChw16c output has
    /// N·M·OH·OW elements too); ConvTranspose and ConvGradInput: dY elements × weight[1]·kh·kw; ConvGradWeight: dY
    /// elements × C·kh·kw of its dW output; Gemm and MatMul: output elements × the contracted length. Elementwise,
    /// reduction and data movement ops are not counted.
    /// </summary>
    public static IReadOnlyList<ArithmeticShare> FromProfile(string path, int steps, int warmupRuns = 0)
    {
        int n = Math.Max(1, steps);
        return OpProfile.KernelEvents(path, warmupRuns)
            .Where(e => e.OpType is "Conv" or "ConvTranspose" or "ConvGradInput" or "ConvGradWeight" or "Gemm" or "MatMul")
            .GroupBy(e => e.OpType)
            .Select(g => new ArithmeticShare(g.Key, g.Select(e => e.Node).Distinct().Count(),
                g.Sum(e => MultiplyAdds(e.OpType, Shapes(e.Args, "input_type_shape"), Shapes(e.Args, "output_type_shape"), e.Node)) / n / 1e9,
                g.Sum(e => e.Microseconds) / 1000.0 / n))
            .OrderByDescending(s => s.GigaMacsPerStep).ToList();
    }

    private static double MultiplyAdds(string op, long[][] inputs, long[][] outputs, string node)
    {
        if (inputs.Length < 2 || outputs.Length < 1)
            throw new InvalidDataException($"profile node {node}: {op} without recorded input/output shapes.");
        double outElements = Product(outputs[0]);
        long[] a = inputs[0], w = inputs[1];
        switch (op)
        {
            case "Conv":
                return outElements * Product(w[1..]);
            case "ConvTranspose" or "ConvGradInput":
                return Product(a) * Product(w[1..]);
            case "ConvGradWeight": // inputs X, dY; output dW [M,C,kh,kw]
                return Product(w) * Product(outputs[0][1..]);
            case "Gemm":
                // A is [M, K] or, transposed, [K, M]; the output is [M, N].
                return outElements * (a[0] == outputs[0][0] ? a[1] : a[0]);
            default: // MatMul: [..., M, K] × [..., K, N]
                return outElements * a[^1];
        }
    }

    private static long[][] Shapes(JsonElement args, string property)
    {
        if (args.ValueKind != JsonValueKind.Object || !args.TryGetProperty(property, out var list)) return [];
        return list.EnumerateArray()
            .Select(t => t.EnumerateObject().FirstOrDefault().Value)
            .Select(dims => dims.ValueKind == JsonValueKind.Array ? dims.EnumerateArray().Select(d => d.GetInt64()).ToArray() : [])
            .ToArray();
    }

    private static double Product(IEnumerable<long> dims) => dims.Aggregate(1.0, (p, d) => p * d);
}
