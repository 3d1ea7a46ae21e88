using SphereFace.Models.Native;

namespace SphereFace.Benchmarks.Machine;

/// <summary>
/// The CPU a benchmark ran on, printed beside its figures (figures are compared only within one CPU): the model name,
/// family and model numbers, the widest vector instruction set the CPU has, and what oneDNN runs at (after
/// <c>ONEDNN_MAX_CPU_ISA</c>) with the kernels' layout.
/// </summary>
public static class MachineDescription
{
    /// <summary>One line, e.g. "CPU: AMD EPYC (family 25 model 1, avx2 + fma, no avx512f); oneDNN avx2, nChw8c, Winograd sphereface_wino_4x3:avx2".</summary>
    public static string Line()
    {
        var info = CpuInfo();
        string name = info.GetValueOrDefault("model name", "unknown CPU");
        var flags = info.GetValueOrDefault("flags", "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        string vectors = flags.Contains("avx512f") ? (flags.Contains("amx_tile") ? "avx512f + amx" : "avx512f")
            : flags.Contains("avx2") ? (flags.Contains("fma") ? "avx2 + fma, no avx512f" : "avx2, no avx512f") : "no avx2";
        string capped = Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") is { Length: > 0 } cap
            ? $", ONEDNN_MAX_CPU_ISA={cap}, ATEN_CPU_CAPABILITY={Environment.GetEnvironmentVariable("ATEN_CPU_CAPABILITY") ?? "unset"}, " +
              $"OpenCV AVX-512 {(Environment.GetEnvironmentVariable("OPENCV_CPU_DISABLE") is { Length: > 0 } ? "off" : "on")}, ONNX Runtime's MLAS uncapped"
            : "";
        return $"CPU: {name} (family {info.GetValueOrDefault("cpu family", "?")} model {info.GetValueOrDefault("model", "?")}, {vectors}, " +
               $"{Environment.ProcessorCount} logical cores{capped}); {DnnlPlugin.Machine.Summary}";
    }

    private static Dictionary<string, string> CpuInfo()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.Length == 0) break; // the first processor is enough
                int colon = line.IndexOf(':');
                if (colon > 0) result.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
            }
        }
        catch (IOException)
        {
        }
        return result;
    }
}
