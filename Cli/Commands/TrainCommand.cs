using SphereFace.Graphs.Native;
using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Spectre.Console;
using SphereFace.Graphs.Export;
using SphereFace.Graphs.Losses;
using SphereFace.Graphs.Nets;
using SphereFace.Training.Checkpoints;
using SphereFace.Training.Runs;
using SphereFace.Training.Session;

namespace SphereFace.Cli.Commands;

/// <summary><c>train</c>: runs SGD through the training-step graph, with metrics, checkpoints and exact resume.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var defaults = new TrainRunConfig();
        var net = new Option<string>("--net") { Description = "sphere4, sphere10, sphere20, sphere36 or sphere64", DefaultValueFactory = _ => defaults.Net };
        var loss = new Option<string>("--loss") { Description = "softmax, modified, asoftmax, amsoftmax, irsoftmax-a or irsoftmax-am", DefaultValueFactory = _ => "asoftmax" };
        var m = new Option<int>("--m") { Description = "A-Softmax angular margin m (integer ≥ 1)", DefaultValueFactory = _ => 4 };
        var amMargin = new Option<float>("--am-margin") { Description = "AM-Softmax margin", DefaultValueFactory = _ => 0.35f };
        var amScale = new Option<float>("--am-scale") { Description = "AM-Softmax scale s", DefaultValueFactory = _ => 30f };
        var noPlugin = new Option<bool>("--no-plugin") { Description = "use the pure-ONNX twin of the margin op instead of the native plugin" };
        var noBias = new Option<bool>("--no-bias") { Description = "softmax without classifier bias (ablation: remove biases)" };
        var lastRelu = new Option<bool>("--last-relu") { Description = "keep a ReLU after the embedding (ablation; off in the paper)" };
        var centres = new Option<string>("--centres") { Description = "IR-Softmax centre update: loss (centre loss, renormalised) or memory-bank", DefaultValueFactory = _ => "loss" };
        var bankSize = new Option<int>("--memory-bank-size") { Description = "IR-Softmax memory bank: features kept per class (K)", DefaultValueFactory = _ => 8 };
        var centreWeight = new Option<float>("--centre-loss-weight") { Description = "IR-Softmax centre-loss weight", DefaultValueFactory = _ => 1f };
        var lambdaBase = new Option<float>("--lambda-base") { Description = "λ schedule: base", DefaultValueFactory = _ => defaults.LambdaBase };
        var lambdaGamma = new Option<float>("--lambda-gamma") { Description = "λ schedule: γ", DefaultValueFactory = _ => defaults.LambdaGamma };
        var lambdaPower = new Option<float>("--lambda-power") { Description = "λ schedule: power", DefaultValueFactory = _ => defaults.LambdaPower };
        var lambdaMin = new Option<float>("--lambda-min") { Description = "λ schedule: lower bound", DefaultValueFactory = _ => defaults.LambdaMin };
        var classes = new Option<int?>("--classes") { Description = "identities of the classifier (default: the dataset's; required with random:N)" };
        var batch = new Option<int>("--batch") { Description = "images per step", DefaultValueFactory = _ => defaults.BatchSize };
        var iterations = new Option<int>("--iterations") { Description = "total iterations (with --resume: the new total)", DefaultValueFactory = _ => defaults.Iterations };
        var lr = new Option<float>("--lr") { Description = "base learning rate", DefaultValueFactory = _ => defaults.BaseLr };
        var lrSteps = new Option<string>("--lr-steps") { Description = "iterations where the lr is multiplied by --lr-gamma, comma-separated", DefaultValueFactory = _ => "16000,24000" };
        var lrGamma = new Option<float>("--lr-gamma") { Description = "lr factor at each step", DefaultValueFactory = _ => defaults.LrGamma };
        var momentum = new Option<float>("--momentum") { Description = "SGD momentum", DefaultValueFactory = _ => defaults.Momentum };
        var weightDecay = new Option<float>("--weight-decay") { Description = "weight decay", DefaultValueFactory = _ => defaults.WeightDecay };
        var embedding = new Option<int>("--embedding-size") { Description = "embedding width", DefaultValueFactory = _ => defaults.EmbeddingSize };
        var seed = new Option<ulong>("--seed") { Description = "seed of the initialisation and the data order", DefaultValueFactory = _ => defaults.Seed };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (0 = all cores)", DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = "cpu or cuda (cuda needs a build with -p:UseCuda=true)", DefaultValueFactory = _ => "cpu" };
        var kernels = new Option<string?>("--kernels") { Description = $"conv kernels of the training graph: {string.Join(", ", KernelNames.All)} (default: onednn on cpu, standard on cuda)" };
        var data = new Option<string>("--data") { Description = "dataset folder root/<identity>/<image>, or random:N (N in-memory random-label images)", DefaultValueFactory = _ => defaults.Data };
        var landmarks = new Option<string?>("--landmarks") { Description = "landmark list for a dataset folder (omit when the images are already aligned)" };
        var identityList = new Option<string?>("--identities") { Description = "file listing the identities to train on, one per line (e.g. train_identities.txt of a synthetic set)" };
        var workers = new Option<int>("--workers") { Description = "image decode/align threads", DefaultValueFactory = _ => defaults.DataWorkers };
        var flip = new Option<double>("--flip") { Description = "probability of a horizontal flip per image", DefaultValueFactory = _ => defaults.FlipProbability };
        var outDir = new Option<string?>("--out") { Description = "run folder (default with --resume: the checkpoint's folder)" };
        var logEvery = new Option<int>("--log-every") { Description = "iterations per log line and CSV row", DefaultValueFactory = _ => defaults.LogEvery };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "iterations per checkpoint", DefaultValueFactory = _ => defaults.CheckpointEvery };
        var resume = new Option<string?>("--resume") { Description = "continue exactly from this checkpoint (its configuration is used)" };
        var graph = new Option<string?>("--graph") { Description = "train this graph folder (build-graph's output: train_step.onnx, manifest.json, initial.safetensors) instead of building one; its manifest fixes net, loss, classes, batch, kernels and solver" };
        var recordBatches = new Option<string?>("--record-batches") { Description = "write every batch fed to the step (with its lr and λ) to this file, for replaying the run in another client (docs/train-step.md)" };
        var initFrom = new Option<string?>("--init-from") { Description = "fine-tune: start from this checkpoint's parameters wherever name and shape match (same net); the rest is seeded, momenta start at zero" };

        var cmd = new Command("train", "Train a SphereFace net through the training-step ONNX graph.")
        {
            net, loss, m, amMargin, amScale, noPlugin, noBias, lastRelu, centres, bankSize, centreWeight, lambdaBase, lambdaGamma, lambdaPower, lambdaMin, classes, batch, iterations,
            lr, lrSteps, lrGamma, momentum, weightDecay, embedding, seed, threads, device, kernels, data, landmarks, identityList, workers, flip, outDir, logEvery, checkpointEvery, resume, initFrom, graph, recordBatches,
        };
        cmd.SetAction(p => CliAction.Run(() =>
        {
            var options = new TrainSessionOptions(p.GetValue(threads), ExecutionDevices.Parse(p.GetValue(device)!));
            ExecutionDevices.EnsureAvailable(options.Device);
            _ = options.ResolvedThreads;
            string? resumePath = p.GetValue(resume);
            Checkpoint? checkpoint = null;
            TrainRunConfig config;
            string folder;
            if (resumePath is not null && p.GetValue(initFrom) is not null)
                throw new ArgumentException("--init-from starts a new run; it cannot be combined with --resume.");
            if (resumePath is not null && p.GetValue(graph) is not null)
                throw new ArgumentException("--graph starts a new run; a resumed run trains the graph saved in its run folder.");
            TrainGraph? trainGraph = null;
            if (resumePath is not null)
            {
                checkpoint = CheckpointFile.Load(resumePath);
                // The checkpoint's configuration defines the run; only the total, the intervals and the machine settings may change.
                var saved = TrainRunConfig.FromJson(checkpoint.ConfigJson, resumePath);
                config = saved with
                {
                    Iterations = Given(p, iterations) ? p.GetValue(iterations) : saved.Iterations,
                    LogEvery = Given(p, logEvery) ? p.GetValue(logEvery) : saved.LogEvery,
                    CheckpointEvery = Given(p, checkpointEvery) ? p.GetValue(checkpointEvery) : saved.CheckpointEvery,
                };
                folder = p.GetValue(outDir) ?? Path.GetDirectoryName(Path.GetFullPath(resumePath))!;
                if (checkpoint.Iteration >= config.Iterations)
                    throw new ArgumentException($"Checkpoint '{resumePath}' is already at iteration {checkpoint.Iteration}; pass --iterations above that to continue.");
            }
            else
            {
                if (p.GetValue(graph) is { } graphDir)
                {
                    trainGraph = TrainGraph.FromFolder(Path.GetFullPath(graphDir));
                    // The graph fixes what it computes; flags for those would be silently ignored, so they are refused.
                    var fixedByGraph = new Option[] { net, loss, m, amMargin, amScale, noPlugin, noBias, lastRelu, centres, bankSize, centreWeight, classes, batch, momentum, weightDecay, embedding, kernels };
                    if (fixedByGraph.FirstOrDefault(o => Given(p, o)) is { } given)
                        throw new ArgumentException($"{given.Name} is fixed by the graph folder '{graphDir}' (see its manifest.json); drop it or rebuild the folder with build-graph.");
                }
                int? folderClasses = DataSourceSpec.Inspect(p.GetValue(data)!, p.GetValue(landmarks), p.GetValue(identityList));
                int? givenClasses = trainGraph?.Manifest.Classes ?? p.GetValue(classes);
                if (folderClasses is { } fc && givenClasses is { } gc && fc != gc)
                    throw new ArgumentException(trainGraph is null ? $"--classes {gc} but dataset '{p.GetValue(data)}' has {fc} identities."
                        : $"Graph folder '{p.GetValue(graph)}' has {gc} classes but dataset '{p.GetValue(data)}' has {fc} identities.");
                config = new TrainRunConfig
                {
                    Net = p.GetValue(net)!, EmbeddingSize = p.GetValue(embedding), LastRelu = p.GetValue(lastRelu),
                    Loss = new LossConfig(ParseLoss(p.GetValue(loss)!), p.GetValue(m), p.GetValue(amMargin), p.GetValue(amScale), !p.GetValue(noPlugin),
                        LossGraph.ParseCentreUpdate(p.GetValue(centres)!), p.GetValue(bankSize), p.GetValue(centreWeight), ClassifierBias: !p.GetValue(noBias)),
                    Classes = folderClasses ?? givenClasses ?? throw new ArgumentException("--classes is required with --data random:N."),
                    BatchSize = p.GetValue(batch), Iterations = p.GetValue(iterations),
                    BaseLr = p.GetValue(lr), LrSteps = ParseSteps(p.GetValue(lrSteps)!), LrGamma = p.GetValue(lrGamma),
                    LambdaBase = p.GetValue(lambdaBase), LambdaGamma = p.GetValue(lambdaGamma), LambdaPower = p.GetValue(lambdaPower), LambdaMin = p.GetValue(lambdaMin),
                    Momentum = p.GetValue(momentum), WeightDecay = p.GetValue(weightDecay), Seed = p.GetValue(seed),
                    Data = FullPathUnlessRandom(p.GetValue(data)!), Landmarks = FullPath(p.GetValue(landmarks)), IdentityList = FullPath(p.GetValue(identityList)),
                    DataWorkers = p.GetValue(workers), FlipProbability = p.GetValue(flip),
                    LogEvery = p.GetValue(logEvery), CheckpointEvery = p.GetValue(checkpointEvery),
                    InitFrom = FullPath(p.GetValue(initFrom)),
                    Kernels = p.GetValue(kernels) is { } k ? KernelNames.Parse(k)
                        : options.Device == ExecutionDevice.Cuda ? Kernels.Standard : Kernels.OneDnn,
                };
                if (trainGraph is not null) config = config.WithGraph(trainGraph.Folder!, trainGraph.Manifest, trainGraph.Source);
                folder = p.GetValue(outDir) ?? throw new ArgumentException("--out is required (the run folder) unless --resume is given.");
            }
            config.Validate();
            if (options.Device == ExecutionDevice.Cuda)
            {
                if (config.Kernels != Kernels.Standard)
                    throw new ArgumentException($"--kernels {config.Kernels.Name()} runs on the CPU only; train on cuda with --kernels standard.");
                // ψ(θ)'s plugin ops have no CUDA kernel: on CUDA the graph computes ψ with its pure-ONNX twin (docs/cuda.md).
                if (config.Graph is null && config.Loss.UsePlugin && LossGraph.NeedsPlugin(config.Loss))
                    config = config with { Loss = config.Loss with { UsePlugin = false } };
                if (config.Graph is not null && trainGraph is not null && trainGraph.Plugins.Count > 0)
                    throw new ArgumentException($"Graph folder '{config.Graph}' uses custom ops ({string.Join(", ", trainGraph.Plugins.Select(l => l.Domain))}) that have no CUDA kernel; " +
                                                "build it with build-graph --kernels standard --no-plugin to train on cuda.");
            }
            var runFolder = new RunFolder(folder);
            if (checkpoint is null && File.Exists(runFolder.CheckpointFile))
                throw new IOException($"Run folder '{folder}' already holds a checkpoint; continue it with --resume {runFolder.CheckpointFile} or choose another --out.");
            trainGraph ??= checkpoint is null ? TrainGraph.FromSet(GraphFolder.Build(config.GraphSpec)) : GraphOfResumedRun(runFolder, config);
            return Train(config, trainGraph, options, checkpoint, resumePath, runFolder, p.GetValue(recordBatches));
        }));
        return cmd;
    }

    /// <summary>The graph a resumed run trains: the copy in its run folder; runs from before that copy existed rebuild theirs from the configuration.</summary>
    private static TrainGraph GraphOfResumedRun(RunFolder folder, TrainRunConfig config) =>
        Directory.Exists(folder.GraphFolder) ? TrainGraph.FromFolder(folder.GraphFolder) : TrainGraph.FromSet(GraphFolder.Build(config.GraphSpec));

    private static int Train(TrainRunConfig config, TrainGraph graph, TrainSessionOptions options, Checkpoint? checkpoint, string? resumePath, RunFolder folder, string? recordBatches)
    {
        using var prepared = PreparedRun.Create(config, graph, options, checkpoint, resumePath ?? "");
        using var recording = recordBatches is null ? null : new BatchRecording(recordBatches, prepared.Session.DataShape);
        prepared.Loop.Recording = recording;
        ManagedMemory.Release();
        // The run folder keeps the graph it trains, so a resume (or a reader) sees exactly that model.
        if (graph.Folder != Path.GetFullPath(folder.GraphFolder)) graph.SaveTo(folder.GraphFolder);
        if (checkpoint is not null) folder.TruncateMetricsAfter(checkpoint.Iteration);
        Graphs.IO.AtomicFile.WriteAllText(folder.ConfigFile, config.ToJson());
        long start = prepared.Loop.Iteration;
        string header = checkpoint is null
            ? $"training {config.NetConfig.Name} + {config.LossName}, batch {config.BatchSize}, {config.Iterations} iterations, {prepared.Session.Threads} threads, {options.Device.ToString().ToLowerInvariant()} → {folder.Root}"
            : $"resuming {config.NetConfig.Name} + {config.LossName} at iteration {start} of {config.Iterations} from {resumePath}";
        folder.Log(header);
        AnsiConsole.MarkupLineInterpolated($"[bold]{header}[/]");
        if (prepared.InitialisedFrom is { } init)
        {
            folder.Log($"initialised {init}");
            AnsiConsole.MarkupLineInterpolated($"initialised {init}");
        }

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCtrlC = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCtrlC;
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; cancel.Cancel(); });
        try
        {
            var run = new TrainingRun(prepared.Loop, folder, prepared.Identity, config.Iterations, config.LogEvery, config.CheckpointEvery);
            RunOutcome outcome = RunOutcome.Completed;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("train", maxValue: config.Iterations);
                    task.Value = start;
                    run.Stepped = s =>
                    {
                        task.Value = s.Iteration + 1;
                        task.Description = string.Create(CultureInfo.InvariantCulture, $"loss {s.Loss:F3}");
                    };
                    run.Logged = row => AnsiConsole.WriteLine(row.ToLogLine(config.Iterations));
                    outcome = run.Run(cancel.Token);
                });
            string end = outcome == RunOutcome.Completed
                ? $"finished {prepared.Loop.Iteration} iterations; checkpoint {folder.CheckpointFile}, metrics {folder.MetricsFile}"
                : $"interrupted at iteration {prepared.Loop.Iteration}; continue with --resume {folder.CheckpointFile}";
            Console.WriteLine(end);
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCtrlC;
        }
    }

    // Paths are stored absolute so that a resume from another working directory finds the data again.
    private static string? FullPath(string? path) => path is null ? null : Path.GetFullPath(path);
    private static string FullPathUnlessRandom(string spec) => DataSourceSpec.IsRandom(spec) ? spec : Path.GetFullPath(spec);

    /// <summary>True when the option was typed on the command line (not its default).</summary>
    private static bool Given(ParseResult p, Option option) => p.GetResult(option) is { Implicit: false };

    private static LossKind ParseLoss(string text)
    {
        string key = text.Replace("-", "").Replace("_", "").Trim();
        return Enum.GetValues<LossKind>().FirstOrDefault(k => string.Equals(k.ToString(), key, StringComparison.OrdinalIgnoreCase), (LossKind)(-1)) is var kind && kind >= 0
            ? kind
            : throw new ArgumentException($"Unknown --loss '{text}'; expected softmax, modified, asoftmax, amsoftmax, irsoftmax-a or irsoftmax-am.");
    }

    private static int[] ParseSteps(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        return text.Split(',', StringSplitOptions.TrimEntries).Select(s =>
            int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v
                : throw new ArgumentException($"--lr-steps '{text}': '{s}' is not an iteration number.")).ToArray();
    }
}
