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
        var session = new TrainStepSession(LinearSgdStepModel.Build(Batch, Features), new TrainSessionOptions(Threads: 1));
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
        var run = new TrainingRun(loop, new RunFolder(folder), Identity, Iterations, logEvery: 2, checkpointEvery: 4);
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

        // The CSV of the split run continues with the same rows as the uninterrupted one after the resume point.
        var fullCsv = File.ReadAllLines(Path.Combine(temp.File("full"), "metrics.csv"));
        var splitCsv = File.ReadAllLines(Path.Combine(temp.File("split"), "metrics.csv"));
        Assert.AreEqual(MetricsRow.CsvHeader, fullCsv[0]);
        string[] Rows(string[] csv) => csv.Where(l => l.StartsWith("10,") || l.StartsWith("12,")).Select(StripRate).ToArray();
        Assert.HasCount(2, Rows(splitCsv));
        CollectionAssert.AreEqual(Rows(fullCsv), Rows(splitCsv));
    }

    private static string StripRate(string csvRow) => csvRow[..csvRow.LastIndexOf(',')];
}
