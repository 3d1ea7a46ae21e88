using System.Diagnostics;
using System.Text.Json;

namespace SphereFace.Training.Bench;

/// <summary>Result of the PyTorch peer script.</summary>
public sealed record PeerResult(double ImagesPerSecond, double SecondsPerStep, double PeakRssMiB, string TorchVersion);

/// <summary>Runs <c>Bench/pytorch_peer.py</c> (shipped next to the assembly) with Debian's python3 and python3-torch.</summary>
public static class PytorchPeer
{
    /// <summary>Debian's interpreter (python3-torch is installed for it).</summary>
    public const string Interpreter = "/usr/bin/python3";

    /// <summary>Path of the peer script next to the running assembly.</summary>
    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "Bench", "pytorch_peer.py");

    /// <summary>Runs the peer; throws <see cref="InvalidOperationException"/> with its stderr when it fails.</summary>
    public static PeerResult Run(int depth, int batch, int classes, int threads, int warmup, int steps)
    {
        if (!File.Exists(ScriptPath)) throw new FileNotFoundException($"PyTorch peer script '{ScriptPath}' is missing (it is copied next to the build output).");
        if (!File.Exists(Interpreter)) throw new FileNotFoundException($"'{Interpreter}' is missing; install Debian's python3 and python3-torch.");
        var psi = new ProcessStartInfo(Interpreter) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { ScriptPath, "--depth", depth.ToString(), "--batch", batch.ToString(), "--classes", classes.ToString(),
                     "--threads", threads.ToString(), "--warmup", warmup.ToString(), "--steps", steps.ToString() })
            psi.ArgumentList.Add(a);
        psi.Environment["OMP_NUM_THREADS"] = threads.ToString();
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Cannot start {Interpreter}.");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"PyTorch peer failed (exit {p.ExitCode}): {stderr.Result.Trim().Split('\n').LastOrDefault()}");
        string line = stdout.Result.Trim().Split('\n').Last();
        using var doc = JsonDocument.Parse(line);
        var r = doc.RootElement;
        return new PeerResult(r.GetProperty("images_per_s").GetDouble(), r.GetProperty("seconds_per_step").GetDouble(),
            r.GetProperty("peak_rss_mib").GetDouble(), r.GetProperty("torch").GetString() ?? "?");
    }
}
