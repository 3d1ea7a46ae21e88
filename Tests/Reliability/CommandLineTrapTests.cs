using System.Diagnostics;
using SphereFace.Tests.Support;

namespace SphereFace.Tests.Reliability;

/// <summary>
/// The command line's traps for a new user, closed: a signal ends a training run with the shell's signal status after
/// saving its checkpoint, mistyped verbs and flags get a suggestion, synth fits its pairs to the identities it was
/// given, and a finished run leaves its embedding model beside the checkpoint.
/// </summary>
[TestClass]
public sealed class CommandLineTrapTests
{
    [TestMethod]
    [DataRow("TERM", 143)]
    [DataRow("INT", 130)]
    public void ASignalSavesTheRunAndExitsWithTheSignalStatus(string signal, int expected)
    {
        using var dir = new TempDir();
        // Through env --default-signal: a job started in the background of a non-interactive shell inherits SIGINT
        // ignored, and the run must see the signal as a terminal user's Ctrl-C would deliver it.
        var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "--default-signal=INT,TERM", "dotnet", Path.Combine(AppContext.BaseDirectory, "sphereface.dll"), "train", "--net", "sphere4", "--embedding-size", "8",
                     "--classes", "3", "--data", "random:4", "--batch", "2", "--iterations", "100000", "--log-every", "1", "--threads", "1", "--out", dir.File("run") })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        try
        {
            Signal(process, signal, expected, dir);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    private static void Signal(Process process, string signal, int expected, TempDir dir)
    {
        var stderr = process.StandardError.ReadToEndAsync();
        // Wait for the first logged iteration, then signal.
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null && !line.Contains("iteration", StringComparison.Ordinal)) { }
        Assert.IsNotNull(line, $"the run ended before logging: {stderr.Result}");
        using (var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString()])) kill.WaitForExit();
        var rest = process.StandardOutput.ReadToEndAsync();
        Assert.IsTrue(process.WaitForExit(60_000), "the run did not stop within 60 s of the signal");
        Assert.AreEqual(expected, process.ExitCode, rest.Result + stderr.Result);
        StringAssert.Contains(rest.Result, "interrupted at iteration");
        Assert.IsTrue(File.Exists(dir.File("run/checkpoint.safetensors")), "no checkpoint saved");
        Assert.IsFalse(File.Exists(dir.File("run/embedding.onnx")), "an interrupted run exports no model");
    }

    [TestMethod]
    public void MistypedVerbsAndFlagsGetASuggestion()
    {
        var (code, error) = CliRun.Run("evel", "--model", "m.onnx");
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "unknown verb 'evel' (did you mean 'eval'?)");
        (code, error) = CliRun.Run("train", "--itrations", "3");
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "(did you mean '--iterations'?)");
    }

    [TestMethod]
    [DataRow(60)]
    [DataRow(120)]
    public void SynthFitsFoldsAndPairsToFewIdentitiesAndNamesFlags(int identities)
    {
        using var dir = new TempDir();
        var (code, error) = CliRun.Run("synth", "--out", dir.File("faces"), "--identities", identities.ToString(), "--max-images", "4",
            "--min-images", "2", "--size", "64", "--threads", "2");
        Assert.AreEqual(0, code, error);
        var pairs = File.ReadAllLines(dir.File("faces/pairs.txt"));
        var header = pairs[0].Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        int testIdentities = (int)Math.Round(identities * 0.2);
        Assert.AreEqual(Math.Min(10, testIdentities / 2), header[0], "folds");
        Assert.AreEqual(pairs.Length - 1, header[0] * header[1] * 2, "matched and mismatched pairs of every fold");
        // Asked for explicitly, an impossible count is an error naming the flag the user typed.
        (code, error) = CliRun.Run("synth", "--out", dir.File("faces2"), "--identities", "60", "--folds", "10");
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "--folds");
        Assert.IsFalse(error.Contains("pairs_per_fold", StringComparison.Ordinal) || error.Contains(" folds.", StringComparison.Ordinal), error);
    }

    [TestMethod]
    public void AFinishedRunWritesItsEmbeddingModel()
    {
        using var dir = new TempDir();
        var (code, error) = CliRun.Run("train", "--net", "sphere4", "--embedding-size", "8", "--classes", "3", "--data", "random:4", "--batch", "2",
            "--iterations", "2", "--threads", "1", "--out", dir.File("run"));
        Assert.AreEqual(0, code, error);
        using var embedder = new SphereFace.Inference.Embedder(dir.File("run/embedding.onnx"));
        Assert.AreEqual(8, embedder.Dimension);
    }
}
