using System.CommandLine;
using SphereFace.Training.Export;
using System.Globalization;
using System.Runtime.InteropServices;
using Spectre.Console;
using SphereFace.Cli.Options;
using SphereFace.Graphs.Export;
using SphereFace.Graphs.Losses;
using SphereFace.Models.Native;
using SphereFace.Graphs.Nets;
using SphereFace.Training.Checkpoints;
using SphereFace.Training.Data;
using SphereFace.Training.Distributed;
using SphereFace.Training.Runs;
using SphereFace.Training.Session;
using SphereFace.Models.IO;

namespace SphereFace.Cli.Commands;

/// <summary>
/// <c>train</c>: runs SGD through the training-step graph, with metrics, checkpoints and exact resume. What it trains
/// is a run spec (docs/run-spec.md): the defaults, then <c>--config</c>, then the flags; the effective spec is printed
/// and saved as the run folder's <c>config.json</c>.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var o = new TrainOptions();
        var cmd = new Command("train", "Train a SphereFace net through the training-step ONNX graph.");
        foreach (var option in o.All) cmd.Options.Add(option);
        cmd.SetAction(p => CliAction.Run(() => MpiCollectives.UnderMpirun ? RunRank(p, o) : Run(p, o, null)));
        return cmd;
    }

    /// <summary>
    /// One rank of <c>mpirun -np K sphereface train</c> (docs/distributed.md). A rank that fails reports why and ends the
    /// whole job with its exit status, so no rank waits for one that is gone.
    /// </summary>
    private static int RunRank(ParseResult p, TrainOptions o)
    {
        using var mpi = new MpiCollectives(MpiCollectives.TimeoutFromEnvironment());
        int code = CliAction.Run(() => Run(p, o, new DataParallel(mpi)));
        if (code != 0 && mpi.Size > 1) mpi.Abort($"stopping the job (exit status {code})", code);
        return code;
    }

    private static int Run(ParseResult p, TrainOptions o, DataParallel? parallel)
    {
        var request = RunSpecRequest.From(p, o);
        try
        {
            return Run(p, o, request, parallel);
        }
        catch (RunSpecException e)
        {
            throw request.Explain(e);
        }
    }

    private static RunSpec WithRanks(RunSpec spec, DataParallel? parallel) =>
        spec with { Machine = spec.Machine with { Ranks = parallel?.Collectives.Size ?? 1 } };

    private static int Run(ParseResult p, TrainOptions o, RunSpecRequest request, DataParallel? parallel)
    {
        bool writer = parallel?.IsWriter ?? true;
        string? resumePath = p.GetValue(o.Resume);
        Checkpoint? checkpoint = null;
        TrainGraph? graph = null;
        RunSpec spec;
        int savedRanks = 1;
        if (resumePath is not null)
        {
            if (request.FlagOf("init_from") is not null) throw new ArgumentException("--init-from starts a new run; it cannot be combined with --resume.");
            if (request.FlagOf("graph") is not null) throw new ArgumentException("--graph starts a new run; a resumed run trains the graph saved in its run folder.");
            checkpoint = CheckpointFile.Load(resumePath);
            var saved = RunSpec.FromJson(checkpoint.ConfigJson, resumePath);
            string own = Path.GetDirectoryName(Path.GetFullPath(resumePath))!;
            string folder = request.FlagOf("output.folder") is not null ? request.Overlay["output"]!["folder"]!.GetValue<string>() : own;
            RunFolder.EnsureResumableInto(folder, own);
            spec = WithRanks(request.Resume(saved, resumePath), parallel);
            spec = spec with { Output = spec.Output with { Folder = folder } };
            savedRanks = saved.Machine.Ranks;
            if (checkpoint.Iteration >= spec.Solver.Iterations)
                throw new ArgumentException($"Checkpoint '{resumePath}' is already at iteration {checkpoint.Iteration}; pass --iterations above that to continue.");
        }
        else
        {
            spec = WithRanks(request.NewRun(), parallel);
            if (spec.Graph is { } graphDir)
            {
                graph = TrainGraph.FromFolder(graphDir);
                // The folder fixes what it computes; a flag for one of those would be silently ignored, so it is refused.
                if (TrainOptions.FixedByGraph.Select(request.FlagUnder).FirstOrDefault(f => f is not null) is { } flag)
                    throw new ArgumentException($"{flag} is fixed by the graph folder '{graphDir}' (see its manifest.json); drop it or rebuild the folder with build-graph.");
                var withGraph = spec.WithGraph(graph.Folder!, graph.Manifest, graph.Source);
                request.CheckFixedByGraph(spec, withGraph, graphDir);
                spec = withGraph;
            }
            spec = WithClasses(WithDetectedLandmarks(spec, parallel), request, graph is not null);
        }
        spec = ForDevice(spec.Validate(), graph);
        // The run records what `auto` chose on this machine, so its config.json says which kernels trained it; a
        // fallback to the standard kernels says why in one line.
        if (spec.Graph is null && checkpoint is null)
        {
            var choice = spec.KernelChoice;
            if (choice.Reason is not null && writer) Console.Error.WriteLine($"sphereface: kernels {choice}");
            spec = spec with { Kernels = choice.Kernels };
        }
        if (p.GetValue(o.PrintSpec))
        {
            if (writer) Console.WriteLine(spec.ToJson());
            return 0;
        }
        // Every rank must train the same thing: compared before anything is written.
        parallel?.Agree("the effective run spec", spec.ToJson(), "give every rank the same flags, --config file and paths.");
        string folderPath = spec.Output.Folder ?? throw new ArgumentException("--out (output.folder) is required unless --resume is given.");
        // One process writes a run folder: the lock comes before anything in it is read, cleaned or written.
        using var folderLock = writer ? RunFolderLock.Acquire(folderPath) : null;
        var runFolder = writer ? new RunFolder(folderPath) : RunFolder.Named(folderPath);
        if (checkpoint is null && File.Exists(runFolder.CheckpointFile))
            throw new IOException($"Run folder '{runFolder.Root}' already holds a checkpoint; continue it with --resume {runFolder.CheckpointFile} or choose another --out.");
        if (checkpoint is null && writer && runFolder.StartMetricsAnew())
            Console.Error.WriteLine($"sphereface: {runFolder.MetricsFile} of an earlier run that saved no checkpoint is started anew");
        var resumedFolder = checkpoint is null ? null : RunFolder.Named(Path.GetDirectoryName(Path.GetFullPath(resumePath!))!);
        if (checkpoint is not null && writer) runFolder.ContinueFrom(resumedFolder!, checkpoint.Iteration);
        graph ??= checkpoint is null ? TrainGraph.FromSet(GraphFolder.Build(spec.GraphSpec)) : GraphOfResumedRun(resumedFolder!, spec, savedRanks);
        // A graph laid out for another CPU's vectors (a folder or run built on an AVX-512 machine) is re-derived for this one.
        graph = graph.ForThisMachine(spec, line => { if (writer) Console.Error.WriteLine($"sphereface: {line}"); });
        spec = spec with { Kernels = graph.Kernels.Kernels };
        return Train(spec, graph, checkpoint, resumePath, runFolder, p.GetValue(o.RecordBatches), parallel, savedRanks);
    }

    /// <summary>
    /// A folder of photos given without --landmarks trains on the detector's points (docs/detection.md): detected once,
    /// cached, photos without a face listed and left out. Under mpirun every rank would detect at once, so there the
    /// list comes first from <c>detect --landmarks-out</c>.
    /// </summary>
    private static RunSpec WithDetectedLandmarks(RunSpec spec, DataParallel? parallel)
    {
        var data = spec.Data;
        if (data.Landmarks is not null || !Directory.Exists(data.Source) || !Inputs.DetectedLandmarks.NeedsDetection(data.Source)) return spec;
        if (parallel is not null)
            throw new ArgumentException($"'{data.Source}' holds photos without --landmarks; under mpirun give them: ./sphereface detect --data {data.Source} --out faces.json --landmarks-out landmarks.txt, then --landmarks landmarks.txt.");
        var detected = Inputs.DetectedLandmarks.For(data.Source)!;
        return spec with { Data = data with { Landmarks = detected.LandmarkList, SkipUnlisted = true } };
    }

    /// <summary>The classes resolved from the dataset folder; a given count must match it (random data needs one).</summary>
    private static RunSpec WithClasses(RunSpec spec, RunSpecRequest request, bool fromGraph)
    {
        int? inFolder = DataSourceSpec.Inspect(spec.Data.Source, spec.Data.Landmarks, spec.Data.IdentityList, spec.Data.SkipUnlisted);
        if (inFolder is { } f && spec.Classes is { } c && f != c)
            throw new ArgumentException(fromGraph ? $"Graph folder '{spec.Graph}' has {c} classes but dataset '{spec.Data.Source}' has {f} identities."
                : $"{request.Origin("classes")} asks for {c} classes but dataset '{spec.Data.Source}' has {f} identities.");
        return spec with { Classes = inFolder ?? spec.Classes ?? throw new ArgumentException("--classes (classes) is required with random:N data.") };
    }

    /// <summary>Checks the spec against its device: oneDNN kernels run on the CPU; on CUDA ψ(θ) comes from its pure-ONNX twin (docs/cuda.md).</summary>
    private static RunSpec ForDevice(RunSpec spec, TrainGraph? graph)
    {
        var device = ExecutionDevices.Parse(spec.Machine.Device);
        ExecutionDevices.EnsureAvailable(device);
        if (device != ExecutionDevice.Cuda) return spec;
        if (spec.Kernels.UsesDnnl())
            throw new ArgumentException($"kernels {spec.Kernels.Name()} run on the CPU only; train on cuda with --kernels standard or auto.");
        spec = spec with { Kernels = Kernels.Standard };
        if (graph is not null && graph.Plugins.Count > 0)
            throw new ArgumentException($"Graph folder '{spec.Graph}' uses custom ops ({string.Join(", ", graph.Plugins.Select(l => l.Domain))}) that have no CUDA kernel; " +
                                        "build it with build-graph --kernels standard --no-plugin to train on cuda.");
        return spec.Graph is null && LossGraph.NeedsPlugin(spec.Loss) ? spec with { Loss = spec.Loss.With("use_plugin", false) } : spec;
    }

    /// <summary>
    /// The graph a resumed run trains: the copy in its run folder; runs from before that copy existed rebuild theirs from
    /// the spec, and so does a run resumed on another number of ranks (its step has another per-rank batch; the global
    /// batch, and with it the SGD, is the same). A graph folder given with --graph cannot be rebuilt: it resumes on the
    /// rank count it was trained with.
    /// </summary>
    private static TrainGraph GraphOfResumedRun(RunFolder folder, RunSpec spec, int savedRanks)
    {
        if (savedRanks != spec.Machine.Ranks && spec.Graph is not null)
            throw new ArgumentException($"this run trains graph folder '{spec.Graph}' on {savedRanks} rank(s) ({spec.Batch / savedRanks} images each); resume it with {savedRanks} rank(s).");
        return Directory.Exists(folder.GraphFolder) && savedRanks == spec.Machine.Ranks
            ? TrainGraph.FromFolder(folder.GraphFolder) : TrainGraph.FromSet(GraphFolder.Build(spec.GraphSpec));
    }

    private static int Train(RunSpec spec, TrainGraph graph, Checkpoint? checkpoint, string? resumePath, RunFolder folder, string? recordBatches, DataParallel? parallel, int savedRanks)
    {
        bool writer = parallel?.IsWriter ?? true;
        string rank = parallel is null ? "" : $"rank {parallel.Collectives.Rank} of {parallel.Collectives.Size}: ";
        var options = new TrainSessionOptions(spec.Machine.Threads, ExecutionDevices.Parse(spec.Machine.Device), DataParallel: parallel);
        void Say(string line)
        {
            if (!writer) return;
            folder.Log(line);
            Console.WriteLine(line);
        }
        void Warn(string line)
        {
            if (writer) folder.Log(line);
            Console.Error.WriteLine(rank + line);
        }
        using var prepared = PreparedRun.Create(spec, graph, options, checkpoint, resumePath ?? "", Warn);
        if (parallel is not null)
        {
            parallel.Agree("the training data", prepared.Source.Digest, "every rank must read the same data set (same files, landmarks and identity list).");
            parallel.Agree("the starting parameters and momenta", prepared.Session.Carried.Select(c => prepared.Session.ReadCarried(c.Input)),
                "every rank must start from the same checkpoint or seed.");
        }
        if (recordBatches is not null && parallel is not null) throw new ArgumentException("--record-batches records one process's batches; it is not available under mpirun.");
        using var recording = recordBatches is null ? null : new BatchRecording(Path.GetFullPath(recordBatches), prepared.Session.DataShape);
        prepared.Loop.Recording = recording;
        ManagedMemory.Release();
        if (writer)
        {
            // The run folder keeps the graph it trains, so a resume (or a reader) sees exactly that model.
            if (graph.Folder != Path.GetFullPath(folder.GraphFolder)) graph.SaveTo(folder.GraphFolder);
            Models.IO.AtomicFile.WriteAllText(folder.ConfigFile, spec.ToJson());
            Console.WriteLine($"effective run spec → {folder.ConfigFile}");
            Console.WriteLine(spec.ToJson());
        }
        long start = prepared.Loop.Iteration;
        int iterations = spec.Solver.Iterations;
        int ranks = spec.Machine.Ranks;
        string batch = ranks > 1 ? $"batch {spec.Batch} ({ranks} ranks × {spec.Batch / ranks})" : $"batch {spec.Batch}";
        Say(checkpoint is null
            ? $"training {spec.NetConfig.Name} + {spec.LossName}, {batch}, {iterations} iterations, {prepared.Session.Threads} threads, {options.Device.ToString().ToLowerInvariant()}, kernels {KernelLine(graph)} → {folder.Root}"
            : $"resuming {spec.NetConfig.Name} + {spec.LossName} at iteration {start} of {iterations} from {resumePath}, {batch}, kernels {KernelLine(graph)}");
        if (checkpoint is not null && savedRanks != ranks)
            Say($"the checkpoint was written by a run on {savedRanks} rank(s); the global batch is unchanged, so the SGD continues the same up to float rounding");
        if (folder.RemovedTemporaries.Count > 0)
            Say($"removed {folder.RemovedTemporaries.Count} temporary file(s) of an interrupted write: {string.Join(", ", folder.RemovedTemporaries)}");
        if (prepared.InitialisedFrom is { } init) Say($"initialised {init}");

        using var cancel = new CancellationTokenSource();
        // Under mpirun a stop is agreed between the ranks after a step (DataParallel), so all end after the same one.
        Action stop = parallel is null ? cancel.Cancel : parallel.RequestStop;
        // An interrupted run saves its checkpoint and exits as the shell reports a signal: 130 (SIGINT), 143 (SIGTERM;
        // also a rank stopped because another rank was asked to).
        int signalExit = 143;
        ConsoleCancelEventHandler onCtrlC = (_, e) => { e.Cancel = true; signalExit = 130; stop(); };
        Console.CancelKeyPress += onCtrlC;
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; signalExit = 143; stop(); });
        try
        {
            var run = new TrainingRun(prepared.Loop, folder, prepared.Identity, iterations, spec.Output.LogEvery, spec.Output.CheckpointEvery)
            {
                LogsLambda = spec.Loss.Rule.UsesLambda,
                StartWindow = checkpoint?.Window ?? MetricsWindow.Empty,
                WritesFolder = writer,
                StopAgreed = parallel is null ? null : () => parallel.StopAgreed,
            };
            var outcome = !writer ? run.Run(cancel.Token)
                : Interactive ? RunWithProgressBar(run, start, iterations, cancel.Token) : RunWithLogLines(run, iterations, cancel.Token);
            string end = outcome == RunOutcome.Completed
                ? $"finished {prepared.Loop.Iteration} iterations; checkpoint {folder.CheckpointFile}, metrics {folder.MetricsFile}"
                : $"interrupted at iteration {prepared.Loop.Iteration}; continue with --resume {folder.CheckpointFile}";
            if (writer) Console.WriteLine(end);
            if (writer && outcome == RunOutcome.Completed)
            {
                // The model users serve, beside the checkpoint it comes from (what `export` writes by default).
                string embedding = Path.Combine(Path.GetDirectoryName(folder.CheckpointFile)!, "embedding.onnx");
                CheckpointExport.Export(folder.CheckpointFile, embedding);
                Console.WriteLine($"embedding model → {embedding}");
            }
            if (parallel is { Steps: > 0 })
                Say(string.Create(CultureInfo.InvariantCulture,
                    $"data-parallel: {parallel.AveragingTime.TotalMilliseconds / parallel.Steps:F1} ms per step averaging {(parallel.MomentaOnly == true ? "the momenta (parameters follow as w − v')" : "parameters and momenta")} over {ranks} ranks (allreduce, and waiting for the slowest rank)"));
            if (prepared.Source is FaceBatchSource { SkippedImages: > 0 } faces)
            {
                string skipped = $"{rank}skipped {faces.SkippedImages} image loads ({faces.SkippedFiles.Count} distinct files, each named once above and in {folder.LogFile}); their batch slots were refilled";
                if (writer) folder.Log(skipped);
                Console.WriteLine(skipped);
            }
            return outcome == RunOutcome.Completed ? 0 : signalExit;
        }
        finally
        {
            Console.CancelKeyPress -= onCtrlC;
        }
    }

    /// <summary>The kernels a step runs and, for the oneDNN ones, the layout and instruction set (e.g. "onednn (nChw8c, oneDNN avx2)").</summary>
    private static string KernelLine(TrainGraph graph) => graph.Kernels with { Reason = null } is var k && k.UsesDnnl ? k.ToString() : k.Kernels.Name();

    // A progress bar redraws in place; piped into a file or another program it would interleave with the log lines.
    private static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    private static RunOutcome RunWithLogLines(TrainingRun run, int iterations, CancellationToken cancel)
    {
        run.Logged = row => Console.WriteLine(row.ToLogLine(iterations));
        return run.Run(cancel);
    }

    private static RunOutcome RunWithProgressBar(TrainingRun run, long start, int iterations, CancellationToken cancel)
    {
        var outcome = RunOutcome.Completed;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("train", maxValue: iterations);
                task.Value = start;
                run.Stepped = s =>
                {
                    task.Value = s.Iteration + 1;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"loss {s.Loss:F3}");
                };
                run.Logged = row => AnsiConsole.WriteLine(row.ToLogLine(iterations));
                outcome = run.Run(cancel);
            });
        return outcome;
    }
}
