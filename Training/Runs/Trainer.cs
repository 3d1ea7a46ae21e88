using System.Globalization;
using SphereFace.Graphs.Export;
using SphereFace.Models.Errors;
using SphereFace.Models.Native;
using SphereFace.Training.Data;
using SphereFace.Training.Distributed;
using SphereFace.Training.Export;
using SphereFace.Training.Session;

namespace SphereFace.Training.Runs;

/// <summary>
/// Runs a <see cref="RunPlan"/> (docs/training-api.md): locks and prepares the run folder, builds or reads the graph (re-derived
/// when this CPU cannot run its layout fast), saves the effective spec and the graph beside the checkpoint, trains with
/// metrics and checkpoints, and on completion exports the embedding model. What <c>sphereface train</c>, the demo and
/// the experiments run; a program runs the same.
/// </summary>
/// <example>
/// <code>
/// var plan = RunPlan.New(RunSpecFile.Load("configs/demo/softmax.json") with { Output = new() { Folder = "runs/a" } });
/// var result = new Trainer(plan) { Progress = new Progress&lt;TrainingProgress&gt;(Console.WriteLine) }.Run(cancel);
/// </code>
/// </example>
public sealed class Trainer(RunPlan plan)
{
    /// <summary>Receives the run's progress (<see cref="TrainingProgress"/>); null: nothing is reported.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>The data-parallel group this process is one rank of (<c>mpirun</c>, docs/distributed.md); null for one process.</summary>
    public DataParallel? Parallel { get; init; }

    /// <summary>A file to record every batch fed to the step into (with its lr and λ; docs/train-step.md); one process only.</summary>
    public string? RecordBatches { get; init; }

    /// <summary>
    /// Trains until the plan's iterations are done or <paramref name="cancel"/> is signalled; the step in flight completes
    /// and a checkpoint is written either way (in a data-parallel run the ranks agree on the step to stop after).
    /// </summary>
    /// <exception cref="SphereFaceException">The run diverged (<see cref="SphereFaceErrorCode.TrainingDiverged"/>; the last good checkpoint stays), or the ranks disagree.</exception>
    /// <exception cref="IOException">The run folder is locked by another run, or holds a checkpoint a new run would overwrite.</exception>
    /// <exception cref="InvalidDataException">The data or the graph is malformed.</exception>
    /// <exception cref="ArgumentException">A recording under data parallelism, or a data-parallel run of a head that cannot be averaged.</exception>
    public TrainingResult Run(CancellationToken cancel = default)
    {
        var spec = plan.Spec;
        var parallel = Parallel;
        bool writer = parallel?.IsWriter ?? true;
        if (RecordBatches is not null && parallel is not null) throw new Models.Errors.InputException("recording batches records one process's batches; it is not available in a data-parallel run.");
        // Every rank must train the same thing: compared before anything is written.
        parallel?.Agree("the effective run spec", spec.ToJson(), "give every rank the same flags, --config file and paths.");
        string folderPath = spec.Output.Folder ?? throw new RunSpecException("output.folder", "output.folder (the run folder) is required for a new run.");
        // One process writes a run folder: the lock comes before anything in it is read, cleaned or written.
        using var folderLock = writer ? RunFolderLock.Acquire(folderPath) : null;
        var folder = writer ? new RunFolder(folderPath) : RunFolder.Named(folderPath);
        var checkpoint = plan.Checkpoint;
        if (checkpoint is null && File.Exists(folder.CheckpointFile))
            throw new IOException($"Run folder '{folder.Root}' already holds a checkpoint; continue it (train --resume {folder.CheckpointFile}, or RunPlan.Resume) or choose another output.folder.");
        if (checkpoint is null && writer && folder.StartMetricsAnew())
            Warn($"{folder.MetricsFile} of an earlier run that saved no checkpoint is started anew");
        var resumed = plan.CheckpointPath is { } path ? RunFolder.Named(Path.GetDirectoryName(path)!) : null;
        if (checkpoint is not null && writer) folder.ContinueFrom(resumed!, checkpoint.Iteration);
        var graph = plan.Graph ?? (resumed is null ? TrainGraph.FromSet(GraphFolder.Build(spec.GraphSpec)) : GraphOfResumedRun(resumed, spec));
        // A graph laid out for another CPU's vectors (a folder or run built on an AVX-512 machine) is re-derived for this one.
        graph = graph.ForThisMachine(spec, line => { if (writer) Warn(line); });
        spec = spec with { Kernels = graph.Kernels.Kernels };
        return Train(spec, graph, folder, cancel);
    }

    /// <summary>
    /// The graph a resumed run trains: the copy in its run folder, or the spec's rebuilt when it resumes on another number
    /// of ranks (its step has another per-rank batch; the global batch, and with it the SGD, is the same). A graph folder
    /// cannot be rebuilt: it resumes on the rank count it was trained with.
    /// </summary>
    private TrainGraph GraphOfResumedRun(RunFolder folder, RunSpec spec)
    {
        if (plan.SavedRanks != spec.Machine.Ranks && spec.Graph is not null)
            throw new RunSpecException("machine.ranks", $"this run trains graph folder '{spec.Graph}' on {plan.SavedRanks} rank(s) ({spec.Batch / plan.SavedRanks} images each); resume it with {plan.SavedRanks} rank(s).");
        return Directory.Exists(folder.GraphFolder) && plan.SavedRanks == spec.Machine.Ranks
            ? TrainGraph.FromFolder(folder.GraphFolder) : TrainGraph.FromSet(GraphFolder.Build(spec.GraphSpec));
    }

    private TrainingResult Train(RunSpec spec, TrainGraph graph, RunFolder folder, CancellationToken cancel)
    {
        var parallel = Parallel;
        bool writer = parallel?.IsWriter ?? true;
        string rank = parallel is null ? "" : $"rank {parallel.Collectives.Rank} of {parallel.Collectives.Size}: ";
        var checkpoint = plan.Checkpoint;
        var options = new TrainSessionOptions(spec.Machine.Threads, spec.Machine.ExecutionDevice, DataParallel: parallel);
        void Say(string line)
        {
            if (!writer) return;
            folder.Log(line);
            Progress?.Report(new TrainingProgress.Message(line));
        }
        void DataWarning(string line)
        {
            if (writer) folder.Log(line);
            Progress?.Report(new TrainingProgress.Message(rank + line, IsWarning: true));
        }
        using var prepared = PreparedRun.CreateCore(spec, graph, options, checkpoint, plan.CheckpointPath ?? "", DataWarning, plan.Dataset);
        if (parallel is not null)
        {
            parallel.Agree("the training data", prepared.Source.Digest, "every rank must read the same data set (same files, landmarks and identity list).");
            parallel.Agree("the starting parameters and momenta", prepared.Session.Carried.Select(c => prepared.Session.ReadCarried(c.Input)),
                "every rank must start from the same checkpoint or seed.");
        }
        using var recording = RecordBatches is null ? null : new BatchRecording(Path.GetFullPath(RecordBatches), prepared.Session.DataShape);
        prepared.Loop.Recording = recording;
        ManagedMemory.Release();
        if (writer)
        {
            // The run folder keeps the graph it trains, so a resume (or a reader) sees exactly that model.
            if (graph.Folder != Path.GetFullPath(folder.GraphFolder)) graph.SaveTo(folder.GraphFolder);
            Models.IO.AtomicFile.WriteAllText(folder.ConfigFile, spec.ToJson());
        }
        long start = prepared.Loop.Iteration;
        int iterations = spec.Solver.Iterations, ranks = spec.Machine.Ranks;
        if (writer) Progress?.Report(new TrainingProgress.Started(start, iterations, spec, folder.ConfigFile));
        string batch = ranks > 1 ? $"batch {spec.Batch} ({ranks} ranks × {spec.Batch / ranks})" : $"batch {spec.Batch}";
        string kernels = graph.Kernels with { Reason = null } is var k && k.UsesDnnl ? k.ToString() : k.Kernels.Name();
        Say(checkpoint is null
            ? $"training {spec.NetConfig.Name} + {spec.LossName}, {batch}, {iterations} iterations, {prepared.Session.Threads} threads, {options.Device.ToString().ToLowerInvariant()}, kernels {kernels} → {folder.Root}"
            : $"resuming {spec.NetConfig.Name} + {spec.LossName} at iteration {start} of {iterations} from {plan.CheckpointPath}, {batch}, kernels {kernels}");
        if (checkpoint is not null && plan.SavedRanks != ranks)
            Say($"the checkpoint was written by a run on {plan.SavedRanks} rank(s); the global batch is unchanged, so the SGD continues the same up to float rounding");
        if (folder.RemovedTemporaries.Count > 0)
            Say($"removed {folder.RemovedTemporaries.Count} temporary file(s) of an interrupted write: {string.Join(", ", folder.RemovedTemporaries)}");
        if (prepared.InitialisedFrom is { } init) Say($"initialised {init}");

        var run = new TrainingRun(prepared.Loop, folder, prepared.Identity, iterations, spec.Output.LogEvery, spec.Output.CheckpointEvery)
        {
            LogsLambda = spec.Loss.Rule.UsesLambda,
            StartWindow = checkpoint?.Window ?? MetricsWindow.Empty,
            WritesFolder = writer,
            StopAgreed = parallel is null ? null : () => parallel.StopAgreed,
        };
        if (writer && Progress is { } progress)
        {
            run.Stepped = s => progress.Report(new TrainingProgress.Stepped(s, iterations));
            run.Logged = row => progress.Report(new TrainingProgress.Logged(row, iterations));
        }
        RunOutcome outcome;
        // Under data parallelism a stop is agreed between the ranks after a step, so all end after the same one.
        using (parallel is null ? default : cancel.Register(parallel.RequestStop))
            outcome = run.Run(parallel is null ? cancel : CancellationToken.None);
        string? embedding = null;
        if (writer && outcome == RunOutcome.Completed)
        {
            // The model users serve, beside the checkpoint it comes from (what `export` writes by default).
            embedding = Path.Combine(Path.GetDirectoryName(folder.CheckpointFile)!, "embedding.onnx");
            CheckpointExport.Export(folder.CheckpointFile, embedding);
        }
        if (parallel is { Steps: > 0 })
            Say(string.Create(CultureInfo.InvariantCulture,
                $"data-parallel: {parallel.AveragingTime.TotalMilliseconds / parallel.Steps:F1} ms per step averaging {(parallel.MomentaOnly == true ? "the momenta (parameters follow as w − v')" : "parameters and momenta")} over {ranks} ranks (allreduce, and waiting for the slowest rank)"));
        if (prepared.Source is FaceBatchSource { SkippedImages: > 0 } faces)
            DataWarning($"skipped {faces.SkippedImages} image loads ({faces.SkippedFiles.Count} distinct files, each named once above and in {folder.LogFile}); their batch slots were refilled");
        return new TrainingResult(outcome, prepared.Loop.Iteration, spec, folder, embedding);
    }

    private void Warn(string line) => Progress?.Report(new TrainingProgress.Message(line, IsWarning: true));
}
