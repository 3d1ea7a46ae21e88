namespace SphereFace.Benchmarks.Training;

/// <summary>Process peak resident set size (Linux VmHWM).</summary>
public static class PeakMemory
{
    /// <summary>Peak RSS of this process in MiB, or NaN when /proc is unavailable.</summary>
    public static double ResidentMiB()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return double.NaN;
        foreach (var line in File.ReadLines(status))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
        return double.NaN;
    }
}
