using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace SphereFace.Tests.Import;

/// <summary>What the import tests share: a random face tensor in both colour orders, the imported model's raw output, the error measure.</summary>
internal static class ImportReference
{
    private const int Plane = 112 * 96;

    /// <summary>A random [1,3,112,96] input in RGB order and the same face in BGR order (the published models' order).</summary>
    public static (float[] Rgb, float[] Bgr) Face(int seed)
    {
        var rng = new Random(seed);
        var rgb = new float[3 * Plane];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (float)(rng.NextDouble() * 2 - 1);
        var bgr = new float[3 * Plane];
        for (int c = 0; c < 3; c++) Array.Copy(rgb, (2 - c) * Plane, bgr, c * Plane, Plane);
        return (rgb, bgr);
    }

    /// <summary>The imported model's fc5 output (before normalisation) on <paramref name="rgb"/>, by a plain ONNX Runtime session.</summary>
    public static float[] Run(string onnx, float[] rgb)
    {
        using var session = new InferenceSession(onnx);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("data", new DenseTensor<float>(rgb, [1, 3, 112, 96]))]);
        return results.First().AsEnumerable<float>().ToArray();
    }

    /// <summary>max |ours − reference| / max |reference|, printed with <paramref name="what"/>.</summary>
    public static double RelativeMax(float[] ours, float[] reference, string what)
    {
        double scale = reference.Max(v => Math.Abs((double)v)), diff = 0;
        for (int i = 0; i < reference.Length; i++) diff = Math.Max(diff, Math.Abs((double)ours[i] - reference[i]));
        Console.WriteLine($"{what}: max |ONNX Runtime − reference| / max |reference| = {diff / scale:G3} (scale {scale:G3})");
        return diff / scale;
    }
}
