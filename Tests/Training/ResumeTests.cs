using SphereFace.Graphs.TrainStep;
using SphereFace.Tests.Losses;
using SphereFace.Graphs.IO;
using SphereFace.Graphs.Losses;
using SphereFace.Tests.Support;
using SphereFace.Training.Checkpoints;
using SphereFace.Training.Runs;
using SphereFace.Training.Session;
using SphereFace.Training.Data;

namespace SphereFace.Tests.Training;

/// <summary>
/// A run interrupted half-way (cancellation between steps, as on Ctrl+C) and resumed from its checkpoint
/// must reproduce the uninterrupted run: the same step losses and the same final parameters, bit for bit.
/// </summary>
[TestClass]
public sealed class ResumeTests
{
    private const int Batch = 8, Features = 5, Samples = 20, Iterations = 12;
    private const ulong Seed = 5;
    private static readonly RunIdentity Identity = new("linear", "least-squares", "{}");

    private static float Lr(long t) => t < 6 ? 0.05f : 0.02f;
    private static float Lambda(long t) => 0.01f / (1 + t);

    private static TrainStepSession NewSession()
    {
        var session = LinearSgdStepModel.Session(Batch, Features, new TrainSessionOptions(Threads: 1));
        session.WriteCarried("w", [0.1f, -0.2f, 0.3f, 0f, 0.05f]);
        return session;
    }

    private static (List<StepRecord> Steps, IReadOnlyList<NamedTensor> Final, RunOutcome Outcome) Run(
        string folder, Checkpoint? resume, long stopAfter)
    {
        using var session = NewSession();
        if (resume is not null) SessionState.Restore(session, resume.Tensors, "resume");
        using var source = new RandomLabelBatchSource(Samples, 3, Batch, Features, Seed, resume?.SampleOrder);
        var loop = new TrainingLoop(session, source, Lr, Lambda, resume?.Iteration ?? 0);
        var run = new TrainingRun(loop, new RunFolder(folder), Identity, Iterations, logEvery: 2, checkpointEvery: 4)
        {
            StartWindow = resume?.Window ?? MetricsWindow.Empty,
        };
        var steps = new List<StepRecord>();
        using var cancel = new CancellationTokenSource();
        run.Stepped = s => { steps.Add(s); if (s.Iteration + 1 == stopAfter) cancel.Cancel(); };
        var outcome = run.Run(cancel.Token);
        return (steps, SessionState.Capture(session), outcome);
    }

    [TestMethod]
    public void InterruptedAndResumedRunEqualsUninterruptedRun()
    {
        using var temp = new TempDir();
        var full = Run(temp.File("full"), null, stopAfter: -1);
        Assert.AreEqual(RunOutcome.Completed, full.Outcome);
        Assert.HasCount(Iterations, full.Steps);

        // Stop after 7 steps: not a checkpoint multiple, and mid-epoch (20 samples, batch 8).
        var first = Run(temp.File("split"), null, stopAfter: 7);
        Assert.AreEqual(RunOutcome.Interrupted, first.Outcome);
        Assert.HasCount(7, first.Steps);
        var checkpoint = CheckpointFile.Load(Path.Combine(temp.File("split"), "checkpoint.safetensors"));
        Assert.AreEqual(7, checkpoint.Iteration);
        var second = Run(temp.File("split"), checkpoint, stopAfter: -1);
        Assert.AreEqual(RunOutcome.Completed, second.Outcome);

        var resumed = first.Steps.Concat(second.Steps).ToList();
        Assert.HasCount(Iterations, resumed);
        for (int i = 0; i < Iterations; i++)
        {
            Assert.AreEqual(full.Steps[i].Iteration, resumed[i].Iteration);
            Assert.AreEqual(BitConverter.SingleToInt32Bits(full.Steps[i].Loss), BitConverter.SingleToInt32Bits(resumed[i].Loss),
                $"loss of step {i}: {full.Steps[i].Loss} vs {resumed[i].Loss}");
        }
        foreach (var t in full.Final)
            CollectionAssert.AreEqual(t.Data, second.Final.Single(u => u.Name == t.Name).Data, t.Name);

        // Losses must actually change from step to step, or the comparison above proves little.
        Assert.IsGreaterThan(3, full.Steps.Select(s => s.Loss).Distinct().Count());

        // The CSV of the split run holds the same rows as the uninterrupted one, the row straddling the resume point
        // (iteration 8: steps 7 and 8, one before and one after) included; only the measured images/s differ.
        var fullCsv = File.ReadAllLines(Path.Combine(temp.File("full"), "metrics.csv"));
        var splitCsv = File.ReadAllLines(Path.Combine(temp.File("split"), "metrics.csv"));
        Assert.AreEqual(MetricsRow.CsvHeader, fullCsv[0]);
        Assert.HasCount(Iterations / 2 + 1, splitCsv);
        CollectionAssert.AreEqual(fullCsv.Select(StripRate).ToArray(), splitCsv.Select(StripRate).ToArray());
    }

    /// <summary>
    /// The same on the real training step (SF-4 + A-Softmax with the margin plugin) through <see cref="PreparedRun"/>:
    /// ONNX Runtime's CPU kernels are bitwise deterministic here at a fixed thread count, so the losses and the final
    /// parameters, momenta included, must be identical.
    /// </summary>
    [TestMethod]
    public void Sphere4ResumeIsBitwiseEqualToUninterruptedRun()
    {
        var config = new RunSpec
        {
            Net = new NetSpec("sphere4"), Loss = TestLoss.Of("asoftmax", m: 4), Classes = 3, Batch = 4,
            Solver = new SolverSpec { Iterations = 4, BaseLr = 0.01f, LrSteps = [3] }, Lambda = new LambdaSchedule { Gamma = 0.5f }, Seed = 9,
            Data = new DataSpec { Source = "random:6" }, Output = new OutputSpec { LogEvery = 1, CheckpointEvery = 100 },
        };
        var options = new TrainSessionOptions(Threads: 2);
        using var temp = new TempDir();

        List<StepRecord> RunSphere(string folder, Checkpoint? resume, int stopAfter, out IReadOnlyList<NamedTensor> final)
        {
            using var prepared = PreparedRun.Create(config, options, resume, "resume");
            var run = new TrainingRun(prepared.Loop, new RunFolder(folder), prepared.Identity, config.Solver.Iterations, 1, 100);
            var steps = new List<StepRecord>();
            using var cancel = new CancellationTokenSource();
            run.Stepped = s => { steps.Add(s); if (s.Iteration + 1 == stopAfter) cancel.Cancel(); };
            run.Run(cancel.Token);
            final = SessionState.Capture(prepared.Session);
            return steps;
        }

        var full = RunSphere(temp.File("full"), null, -1, out var fullFinal);
        var first = RunSphere(temp.File("split"), null, 2, out _);
        var checkpoint = CheckpointFile.Load(Path.Combine(temp.File("split"), "checkpoint.safetensors"));
        var second = RunSphere(temp.File("split"), checkpoint, -1, out var resumedFinal);
        var resumed = first.Concat(second).ToList();
        Assert.HasCount(4, full);
        Assert.HasCount(4, resumed);
        for (int i = 0; i < 4; i++)
            Assert.AreEqual(BitConverter.SingleToInt32Bits(full[i].Loss), BitConverter.SingleToInt32Bits(resumed[i].Loss), $"step {i}: {full[i].Loss} vs {resumed[i].Loss}");
        Assert.AreEqual(fullFinal.Count, resumedFinal.Count);
        foreach (var t in fullFinal)
            CollectionAssert.AreEqual(t.Data, resumedFinal.Single(u => u.Name == t.Name).Data, t.Name);
        Assert.IsTrue(fullFinal.Any(t => t.Name.StartsWith("momentum/") && t.Data.Any(v => v != 0)), "momenta never moved");
    }

    private static string StripRate(string csvRow) => csvRow[..csvRow.LastIndexOf(',')];
}
