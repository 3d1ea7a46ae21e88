using System.Diagnostics;
using System.Globalization;
using SphereFace.Tests.Support;
using SphereFace.Training.Checkpoints;
using SphereFace.Training.Distributed;

namespace SphereFace.Tests.Distributed;

/// <summary>
/// <c>mpirun -np 2 sphereface train</c> on loopback (one thread per rank) against one process on the same global batch,
/// resume across rank counts, and the faults: a killed rank, a hung rank, ranks given different runs.
/// </summary>
[TestClass]
public sealed class DataParallelTrainingTests
{
    private static TempDir? _dir;
    private static string[] _data = [];

    [ClassInitialize]
    public static void MakeFaces(TestContext _)
    {
        _dir = new TempDir();
        string faces = _dir.File("faces");
        var (code, error) = CliRun.Run("synth", "--out", faces, "--identities", "24", "--max-images", "6", "--min-images", "4",
            "--test-images", "4", "--pairs-per-fold", "2", "--folds", "2");
        Assert.AreEqual(0, code, error);
        _data = ["--data", Path.Combine(faces, "images"), "--landmarks", Path.Combine(faces, "landmarks.txt"),
                 "--identity-list", Path.Combine(faces, "train_identities.txt")];
    }

    [ClassCleanup]
    public static void RemoveFaces() => _dir?.Dispose();

    private static string[] Train(string output, int iterations, params string[] more) =>
        ["train", .. _data, "--net", "sphere4", "--loss", "softmax", "--batch", "16", "--lr", "0.01", "--iterations", iterations.ToString(),
         "--log-every", "1", "--checkpoint-every", "2", "--threads", "1", "--out", output, .. more];

    /// <summary>
    /// One step: every tensor of 2 ranks × 8 equals 1 process × 16 to float rounding (measured: max relative difference
    /// 6.4e-6, in a conv bias whose gradient sums many terms of both signs; 4e-7 elsewhere). Both runs then resume to 6
    /// steps — the 2-rank checkpoint on 2 ranks — and the per-iteration losses and final tensors still agree (measured:
    /// losses within 6e-7, tensors within 9e-4 and 4.1e-3 relative L2 in two runs of this test, the worst tensor a conv
    /// bias's momentum). The bounds allow more than float summation alone because a pre-activation a rounding away from a
    /// PReLU kink can take the other side in one run and change that unit's gradient; ranks that took the wrong shard or
    /// a wrong mean would differ by tens of percent. The resumed 2-rank run equals an uninterrupted 2-rank run bit for bit.
    /// </summary>
    [TestMethod]
    public void TwoRanksTrainLikeOneProcessOnTheSameGlobalBatch()
    {
        string one = _dir!.File("one"), two = _dir.File("two");
        var alone = MpiRun.Alone(Train(one, 1));
        Assert.AreEqual(0, alone.Code, alone.Error);
        var ranks = MpiRun.Ranks(2, Train(two, 1));
        Assert.AreEqual(0, ranks.Code, ranks.Error + ranks.Output);
        StringAssert.Contains(ranks.Output, "batch 16 (2 ranks × 8)");
        StringAssert.Contains(ranks.Output, "averaging the momenta (parameters follow as w − v')");
        double first = WorstRelativeMax(one, two);
        Console.WriteLine($"after 1 step: max relative difference {first:G3}");
        Assert.IsLessThanOrEqualTo(5e-5, first, "one step: the mean of the ranks' updates is the one-process update");

        alone = MpiRun.Alone(["train", "--resume", Path.Combine(one, "checkpoint.safetensors"), "--iterations", "6"]);
        Assert.AreEqual(0, alone.Code, alone.Error);
        ranks = MpiRun.Ranks(2, ["train", "--resume", Path.Combine(two, "checkpoint.safetensors"), "--iterations", "6"]);
        Assert.AreEqual(0, ranks.Code, ranks.Error + ranks.Output);
        var lossOne = Losses(one);
        var lossTwo = Losses(two);
        Assert.AreEqual(6, lossOne.Count);
        CollectionAssert.AreEqual(lossOne.Keys.ToList(), lossTwo.Keys.ToList(), "one metrics row per iteration in both runs");
        double worstLoss = lossOne.Max(p => Math.Abs(p.Value - lossTwo[p.Key]) / Math.Abs(p.Value));
        double worstTensor = WorstRelativeL2(one, two);
        Console.WriteLine($"after 6 steps: losses within {worstLoss:G3}, tensors within {worstTensor:G3} (relative L2, worst tensor)");
        Assert.IsLessThanOrEqualTo(1e-3, worstLoss);
        Assert.IsLessThanOrEqualTo(2e-2, worstTensor);
        var checkpoint = CheckpointFile.Load(Path.Combine(two, "checkpoint.safetensors"));
        Assert.AreEqual("2", checkpoint.Info["ranks"]);

        // Resumed on its own rank count, the 2-rank run is bit for bit the uninterrupted one.
        string straight = _dir.File("two-straight");
        ranks = MpiRun.Ranks(2, Train(straight, 6));
        Assert.AreEqual(0, ranks.Code, ranks.Error + ranks.Output);
        var uninterrupted = CheckpointFile.Load(Path.Combine(straight, "checkpoint.safetensors"));
        foreach (var t in uninterrupted.Tensors)
            CollectionAssert.AreEqual(t.Data, checkpoint.Find(t.Name)!.Data, $"{t.Name}: resumed 2-rank run vs uninterrupted");
        StringAssert.Contains(File.ReadAllText(Path.Combine(two, "config.json")), "\"ranks\": 2");
    }

    /// <summary>
    /// A rank killed mid-run (SIGKILL after the first checkpoint): mpirun ends the other and exits non-zero within seconds,
    /// naming the rank; the checkpoint left behind loads and resumes, here in one process (another rank count).
    /// </summary>
    [TestMethod]
    public void AKilledRankEndsTheJobAndLeavesTheLastCheckpointIntact()
    {
        string run = _dir!.File("killed");
        using var mpirun = MpiRun.Start(MpiRun.Mpirun(), MpiRun.RankArguments(2, Train(run, 5000)));
        var error = mpirun.StandardError.ReadToEndAsync();
        var output = mpirun.StandardOutput.ReadToEndAsync();
        string checkpointFile = Path.Combine(run, "checkpoint.safetensors");
        var waited = Stopwatch.StartNew();
        while (!File.Exists(checkpointFile) && !mpirun.HasExited && waited.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(200);
        Assert.IsTrue(File.Exists(checkpointFile), $"no checkpoint appeared: {(mpirun.HasExited ? error.Result : "still running")}");
        int pid = MpiRun.RankPid(mpirun, 1);
        Assert.IsGreaterThan(0, pid, "rank 1's process");
        var killed = Stopwatch.StartNew();
        Process.GetProcessById(pid).Kill();
        bool ended = mpirun.WaitForExit(TimeSpan.FromSeconds(60));
        if (!ended) mpirun.Kill(entireProcessTree: true);
        Assert.IsTrue(ended, "the job did not end within 60 s of the kill");
        mpirun.WaitForExit();
        Console.WriteLine($"mpirun exited {mpirun.ExitCode} {killed.Elapsed.TotalSeconds:F1} s after rank 1 was killed");
        Assert.AreNotEqual(0, mpirun.ExitCode);
        StringAssert.Contains(error.Result + output.Result, "rank 1");

        var checkpoint = CheckpointFile.Load(checkpointFile);
        Assert.IsGreaterThanOrEqualTo(2L, checkpoint.Iteration);
        var resumed = MpiRun.Alone(["train", "--resume", checkpointFile, "--iterations", (checkpoint.Iteration + 2).ToString(CultureInfo.InvariantCulture)]);
        Assert.AreEqual(0, resumed.Code, resumed.Error);
        StringAssert.Contains(resumed.Output, "written by a run on 2 rank(s)");
    }

    /// <summary>A rank that stops responding (SIGSTOP): the other's collective times out and aborts the job with the reason.</summary>
    [TestMethod]
    public void AHungRankIsCaughtByTheWatchdog()
    {
        string run = _dir!.File("hung");
        using var mpirun = MpiRun.Start(MpiRun.Mpirun(), MpiRun.RankArguments(2, Train(run, 5000)),
            new Dictionary<string, string> { ["SPHEREFACE_MPI_TIMEOUT_S"] = "5" });
        var error = mpirun.StandardError.ReadToEndAsync();
        var output = mpirun.StandardOutput.ReadToEndAsync();
        var waited = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(run, "metrics.csv")) && !mpirun.HasExited && waited.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(200);
        int pid = MpiRun.RankPid(mpirun, 1);
        Assert.IsGreaterThan(0, pid, $"rank 1's process ({(mpirun.HasExited ? error.Result : "running")})");
        using (var stop = Process.Start("kill", ["-STOP", pid.ToString()])) stop.WaitForExit();
        bool ended = mpirun.WaitForExit(TimeSpan.FromSeconds(60));
        if (!ended) mpirun.Kill(entireProcessTree: true);
        Assert.IsTrue(ended, "the job did not end within 60 s of rank 1 hanging");
        mpirun.WaitForExit();
        Assert.AreEqual(MpiCollectives.AbortStatus, mpirun.ExitCode, "the watchdog's own exit status, not a divergence's 3");
        StringAssert.Contains(error.Result + output.Result, "did not complete within 5 s");
    }

    /// <summary>Ranks given different runs (another learning rate on rank 1) stop before the first step, exit code 2.</summary>
    [TestMethod]
    public void RanksWithDifferentRunSpecsAreRefusedAtStart()
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "sphereface.dll");
        string run = _dir!.File("mismatch");
        var args = Train(run, 4);
        var other = args.Select(a => a == "0.01" ? "0.02" : a).ToArray();
        var (code, output, error) = MpiRun.Run(MpiRun.Mpirun(),
            ["--oversubscribe", "--allow-run-as-root", "-np", "1", "dotnet", cli, .. args, ":", "-np", "1", "dotnet", cli, .. other], TimeSpan.FromMinutes(2));
        Assert.AreEqual(2, code, error + output);
        StringAssert.Contains(error, "the effective run spec differs between ranks");
        Assert.IsFalse(File.Exists(Path.Combine(run, "checkpoint.safetensors")), "nothing was trained");
    }

    /// <summary>IR-Softmax renormalises its centres after every step; averaging them is not the one-process update, so it is refused.</summary>
    [TestMethod]
    public void IRSoftmaxIsRefusedOnSeveralRanks()
    {
        var args = Train(_dir!.File("ir"), 2).Select(a => a == "softmax" ? "irsoftmax-a" : a).ToArray();
        var (code, output, error) = MpiRun.Ranks(2, args);
        Assert.AreEqual(2, code, error + output);
        StringAssert.Contains(error, "loss irsoftmax-a is not supported in data-parallel runs yet");
    }

    private static SortedDictionary<int, double> Losses(string run) => new(
        File.ReadAllLines(Path.Combine(run, "metrics.csv")).Skip(1).Where(l => l.Length > 0)
            .Select(l => l.Split(',')).ToDictionary(f => int.Parse(f[0], CultureInfo.InvariantCulture), f => double.Parse(f[1], CultureInfo.InvariantCulture)));

    private static (Checkpoint A, Checkpoint B) Load(string a, string b) =>
        (CheckpointFile.Load(Path.Combine(a, "checkpoint.safetensors")), CheckpointFile.Load(Path.Combine(b, "checkpoint.safetensors")));

    private static double WorstRelativeMax(string a, string b)
    {
        var (x, y) = Load(a, b);
        Assert.AreEqual(x.Tensors.Count, y.Tensors.Count);
        return x.Tensors.Max(t =>
        {
            var u = y.Find(t.Name)!.Data;
            double scale = t.Data.Max(v => Math.Abs((double)v));
            return scale == 0 ? 0 : t.Data.Select((v, i) => Math.Abs((double)v - u[i])).Max() / scale;
        });
    }

    private static double WorstRelativeL2(string a, string b)
    {
        var (x, y) = Load(a, b);
        return x.Tensors.Max(t =>
        {
            var u = y.Find(t.Name)!.Data;
            double diff = 0, norm = 0;
            for (int i = 0; i < u.Length; i++) { diff += Math.Pow((double)t.Data[i] - u[i], 2); norm += (double)t.Data[i] * t.Data[i]; }
            return norm == 0 ? 0 : Math.Sqrt(diff / norm);
        });
    }
}
