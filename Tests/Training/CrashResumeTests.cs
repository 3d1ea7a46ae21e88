using System.Diagnostics;
using SphereFace.Tests.Support;
using SphereFace.Training.Checkpoints;

namespace SphereFace.Tests.Training;

/// <summary>
/// A run killed with SIGKILL at seeded random moments — some of them while a checkpoint is being written — and
/// resumed each time ends with the same tensors, bit for bit, and the same metrics rows (all but the measured
/// images/s) as the uninterrupted run; no temporary file is left behind.
/// </summary>
[TestClass]
public sealed class CrashResumeTests
{
    private const int Iterations = 30;
    private static readonly string[] Run = ["--net", "sphere4", "--embedding-size", "16", "--loss", "asoftmax", "--data", "random:24", "--classes", "4",
        "--batch", "4", "--iterations", $"{Iterations}", "--lr", "0.01", "--lr-steps", "20", "--threads", "1", "--log-every", "3", "--checkpoint-every", "2"];

    private static string Cli => Path.Combine(AppContext.BaseDirectory, "sphereface.dll");

    private static Process Start(string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Cli, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static bool WritingCheckpoint(string folder) =>
        Directory.Exists(folder) && Directory.EnumerateFiles(folder, ".checkpoint.safetensors.*.tmp").Any();

    [TestMethod]
    public void KilledAtRandomMomentsAndResumedEqualsTheUninterruptedRun()
    {
        using var dir = new TempDir();
        var (code, error) = CliRun.Run(["train", .. Run, "--out", dir.File("reference")]);
        Assert.AreEqual(0, code, error);

        string folder = dir.File("killed"), checkpoint = Path.Combine(folder, "checkpoint.safetensors");
        var rng = new Random(20261201);
        int kills = 0, killsDuringWrite = 0;
        for (int attempt = 0; attempt < 12; attempt++)
        {
            string[] args = File.Exists(checkpoint) ? ["train", "--resume", checkpoint] : ["train", .. Run, "--out", folder];
            using var process = Start(args);
            var clock = Stopwatch.StartNew();
            bool killed = false;
            if (attempt % 3 == 1)
            {
                // Wait for the next checkpoint write and kill in the middle of it.
                while (!process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
                    if (WritingCheckpoint(folder))
                    {
                        process.Kill();
                        killed = true;
                        killsDuringWrite++;
                        break;
                    }
            }
            else
            {
                var delay = TimeSpan.FromMilliseconds(rng.Next(400, 4000));
                if (!process.WaitForExit(delay))
                {
                    process.Kill();
                    killed = true;
                }
            }
            process.WaitForExit();
            if (killed) kills++;
            else
            {
                Assert.AreEqual(0, process.ExitCode, $"attempt {attempt} exited by itself with {process.ExitCode}");
                if (CheckpointFile.Load(checkpoint).Iteration == Iterations) break;
            }
        }
        // Finish whatever is left.
        if (!File.Exists(checkpoint) || CheckpointFile.Load(checkpoint).Iteration < Iterations)
        {
            using var last = Start(File.Exists(checkpoint) ? ["train", "--resume", checkpoint] : ["train", .. Run, "--out", folder]);
            last.WaitForExit();
            Assert.AreEqual(0, last.ExitCode);
        }
        Assert.IsGreaterThanOrEqualTo(3, kills, $"the run was killed {kills} times");
        Assert.IsGreaterThanOrEqualTo(1, killsDuringWrite, "at least one kill hit a checkpoint write");

        var expected = CheckpointFile.Load(dir.File("reference/checkpoint.safetensors"));
        var actual = CheckpointFile.Load(checkpoint);
        Assert.AreEqual(Iterations, actual.Iteration);
        foreach (var t in expected.Tensors)
            CollectionAssert.AreEqual(t.Data, actual.Find(t.Name)!.Data, $"'{t.Name}' after {kills} kills ({killsDuringWrite} during checkpoint writes)");
        static string[] Rows(string file) => File.ReadAllLines(file).Select(l => l[..l.LastIndexOf(',')]).ToArray();
        CollectionAssert.AreEqual(Rows(dir.File("reference/metrics.csv")), Rows(Path.Combine(folder, "metrics.csv")), "metrics.csv (without images/s)");
        Assert.IsFalse(Directory.EnumerateFiles(folder, "*.tmp").Any(), "no temporary file is left");
    }
}
