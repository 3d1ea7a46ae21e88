using SphereFace.Graphs.Export;
using SphereFace.Graphs.Losses;
using SphereFace.Graphs.TrainStep;
using SphereFace.Models.Errors;
using SphereFace.Tests.Support;
using SphereFace.Training.Checkpoints;
using SphereFace.Training.Runs;

namespace SphereFace.Tests.Training;

/// <summary>
/// Training as a library call (<see cref="RunPlan"/>, <see cref="Trainer"/>), without a process: a new run reports its
/// progress in order and exports its embedding; the resume rules refuse each kind of change they should, naming the field,
/// and allow the documented ones; cancellation stops after a step with a checkpoint the run resumes from; a graph folder
/// fixes its update but not the schedule.
/// </summary>
[TestClass]
public sealed class TrainingApiTests
{
    private static RunSpec Small(string folder, int iterations = 2) => new()
    {
        Net = new NetSpec("sphere4", embeddingSize: 16), Loss = LossConfig.Of("softmax"), Classes = 4, Batch = 4,
        Solver = new SolverSpec { Iterations = iterations, BaseLr = 0.01f, LrSteps = [] }, Data = new DataSpec { Source = "random:8", Workers = 1 },
        Machine = new MachineSpec { Threads = 1 }, Output = new OutputSpec { Folder = folder, LogEvery = 1, CheckpointEvery = 100 },
    };

    /// <summary>Collects reports synchronously, in order.</summary>
    private sealed class Recorder : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Reports { get; } = [];
        public Action<TrainingProgress>? Then { get; init; }
        public void Report(TrainingProgress value)
        {
            Reports.Add(value);
            Then?.Invoke(value);
        }
    }

    [TestMethod]
    public void ANewRunReportsItsProgressInOrderSavesItsSpecAndExportsTheEmbedding()
    {
        using var dir = new TempDir();
        var recorder = new Recorder();
        var result = new Trainer(RunPlan.New(Small(dir.File("run"), 3))) { Progress = recorder }.Run();
        Assert.AreEqual(RunOutcome.Completed, result.Outcome);
        Assert.AreEqual(3, result.Iteration);
        var started = recorder.Reports.OfType<TrainingProgress.Started>().Single();
        Assert.AreSame(started, recorder.Reports.First(r => r is not TrainingProgress.Message { IsWarning: true }));
        Assert.AreEqual(0, started.Iteration);
        CollectionAssert.AreEqual(new long[] { 0, 1, 2 }, recorder.Reports.OfType<TrainingProgress.Stepped>().Select(s => s.Step.Iteration).ToArray());
        CollectionAssert.AreEqual(new long[] { 1, 2, 3 }, recorder.Reports.OfType<TrainingProgress.Logged>().Select(l => l.Row.Iteration).ToArray());
        Assert.AreEqual(File.ReadAllText(started.ConfigFile), result.Spec.ToJson(), "config.json is the effective spec");
        Assert.AreEqual(3, CheckpointFile.Load(result.Folder.CheckpointFile).Iteration);
        Assert.IsTrue(File.Exists(result.EmbeddingModel), "the embedding model is exported beside the checkpoint");
        Assert.AreEqual(Path.Combine(dir.File("run"), "embedding.onnx"), result.EmbeddingModel);
    }

    [TestMethod]
    public void TheResumeRulesRefuseEachChangeTheyShouldNamingTheFieldAndAllowTheDocumentedOnes()
    {
        using var dir = new TempDir();
        string checkpoint = new Trainer(RunPlan.New(Small(dir.File("run")))).Run().Folder.CheckpointFile;
        string Refused(Func<RunSpec, RunSpec> change) => Assert.ThrowsExactly<RunSpecException>(() => RunPlan.Resume(checkpoint, change)).Field;

        Assert.AreEqual("solver.base_lr", Refused(s => s with { Solver = s.Solver with { Iterations = 4, BaseLr = 0.5f } }));
        Assert.AreEqual("solver.momentum", Refused(s => s with { Solver = s.Solver with { Iterations = 4, Momentum = 0.5f } }));
        Assert.AreEqual("net.name", Refused(s => s with { Net = s.Net with { Name = "sphere10" }, Solver = s.Solver with { Iterations = 4 } }));
        Assert.AreEqual("loss.bias", Refused(s => s with { Loss = s.Loss.With("bias", false), Solver = s.Solver with { Iterations = 4 } }));
        Assert.AreEqual("batch", Refused(s => s with { Batch = 2, Solver = s.Solver with { Iterations = 4 } }));
        Assert.AreEqual("init_from", Refused(s => s with { InitFrom = checkpoint, Solver = s.Solver with { Iterations = 4 } }));
        Assert.AreEqual("solver.iterations", Refused(s => s), "a finished run needs more iterations to continue");
        Assert.AreEqual(2, CheckpointFile.Load(checkpoint).Iteration, "a refused resume leaves the run as it was");

        // Every documented override at once; fields that agree with the saved spec are no change.
        var plan = RunPlan.Resume(checkpoint, s => s with
        {
            Solver = s.Solver with { Iterations = 3, BaseLr = 0.01f },
            Output = s.Output with { LogEvery = 2, CheckpointEvery = 50 },
            Machine = s.Machine with { Threads = 2 },
            Data = s.Data with { Workers = 2 },
        });
        Assert.AreEqual(2, plan.Checkpoint!.Iteration);
        Assert.AreEqual((3, 2, 50, 2, 2), (plan.Spec.Solver.Iterations, plan.Spec.Output.LogEvery, plan.Spec.Output.CheckpointEvery, plan.Spec.Machine.Threads, plan.Spec.Data.Workers));
        Assert.AreEqual(dir.File("run"), plan.Spec.Output.Folder, "a resume writes into the checkpoint's folder");
        var result = new Trainer(plan).Run();
        Assert.AreEqual(3, result.Iteration);
        Assert.AreEqual(3, CheckpointFile.Load(checkpoint).Iteration);
    }

    [TestMethod]
    public void CancellationStopsAfterTheStepInFlightWithACheckpointTheRunResumesFrom()
    {
        using var dir = new TempDir();
        using var cancel = new CancellationTokenSource();
        var recorder = new Recorder { Then = r => { if (r is TrainingProgress.Stepped) cancel.Cancel(); } };
        var first = new Trainer(RunPlan.New(Small(dir.File("run"), 4))) { Progress = recorder }.Run(cancel.Token);
        Assert.AreEqual(RunOutcome.Interrupted, first.Outcome);
        Assert.AreEqual(1, first.Iteration);
        Assert.IsNull(first.EmbeddingModel, "an interrupted run exports nothing");
        Assert.AreEqual(1, CheckpointFile.Load(first.Folder.CheckpointFile).Iteration);

        // Continued into another folder: the original checkpoint stays as it was.
        var rest = new Trainer(RunPlan.Resume(first.Folder.CheckpointFile, s => s with { Output = s.Output with { Folder = dir.File("continued") } })).Run();
        Assert.AreEqual((RunOutcome.Completed, 4L), (rest.Outcome, rest.Iteration));
        Assert.AreEqual(4, CheckpointFile.Load(dir.File("continued/checkpoint.safetensors")).Iteration);
        Assert.AreEqual(1, CheckpointFile.Load(first.Folder.CheckpointFile).Iteration);
        Assert.ThrowsExactly<IOException>(() => new Trainer(RunPlan.New(Small(dir.File("run"), 4))).Run(), "a new run does not overwrite a checkpoint");
    }

    [TestMethod]
    public void AGraphFolderFixesItsUpdateButTheScheduleStaysTheSpecs()
    {
        using var dir = new TempDir();
        var built = Small(dir.File("unused")) with { Solver = new SolverSpec { Momentum = 0.8f, WeightDecay = 1e-3f, BaseLr = 0.3f } };
        GraphFolder.Write(dir.File("graph"), GraphFolder.Build(built.Validate().GraphSpec));
        var asked = Small(dir.File("run"), 2) with
        {
            Graph = dir.File("graph"), Batch = 8, Net = new NetSpec("sphere10"),
            Solver = new SolverSpec { Iterations = 2, BaseLr = 0.02f, LrSteps = [1], Momentum = 0.5f },
        };
        var plan = RunPlan.New(asked);
        Assert.AreEqual((0.8f, 1e-3f), (plan.Spec.Solver.Momentum, plan.Spec.Solver.WeightDecay), "the update is the folder's");
        Assert.AreEqual((4, "sphere4"), (plan.Spec.Batch, plan.Spec.Net.Name), "batch and net are the folder's");
        Assert.AreEqual(0.02f, plan.Spec.Solver.BaseLr, "the schedule is the spec's");
        CollectionAssert.AreEqual(new[] { 1 }, plan.Spec.Solver.LrSteps);
        Assert.AreEqual(2, new Trainer(plan).Run().Iteration);
    }
}
