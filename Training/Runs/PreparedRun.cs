using SphereFace.Graphs.Export;
using SphereFace.Graphs.Losses;
using SphereFace.Graphs.TrainStep;
using SphereFace.Training.Checkpoints;
using SphereFace.Training.Data;
using SphereFace.Training.Session;
using SphereFace.Models.Errors;

namespace SphereFace.Training.Runs;

/// <summary>
/// A training run ready to go: the training-step graph built for the configuration, its session with the
/// parameters loaded (seeded initial values, or a checkpoint's parameters, momenta and state), the data
/// source at the right sample position, and the lr and λ schedules.
/// </summary>
public sealed class PreparedRun : IDisposable
{
    private PreparedRun(RunSpec config, TrainStepSession session, IBatchSource source, TrainingLoop loop, string? initialisedFrom)
    {
        InitialisedFrom = initialisedFrom;
        Config = config;
        Session = session;
        Source = source;
        Loop = loop;
    }

    /// <summary>The run configuration.</summary>
    public RunSpec Config { get; }
    /// <summary>The training-step session.</summary>
    public TrainStepSession Session { get; }
    /// <summary>The data source.</summary>
    public IBatchSource Source { get; }
    /// <summary>The step loop (its <see cref="TrainingLoop.Iteration"/> is where the run starts).</summary>
    public TrainingLoop Loop { get; }
    /// <summary>With <see cref="RunSpec.InitFrom"/> on a new run: which parameters came from that checkpoint.</summary>
    public string? InitialisedFrom { get; }
    /// <summary>What checkpoints record about the model.</summary>
    public RunIdentity Identity => new(Config.NetConfig.Name, Config.LossName, Config.ToJson());

    /// <summary>Sets up the graph <paramref name="config"/> describes, built in memory (as <c>build-graph</c> would write it).</summary>
    public static PreparedRun Create(RunSpec config, TrainSessionOptions options, Checkpoint? resume = null, string resumeSource = "") =>
        CreateCore(config.Validate(), TrainGraph.FromSet(GraphFolder.Build(config.GraphSpec)), options, resume, resumeSource, null, null);

    /// <summary>Where data warnings (skipped images, landmark entries without an image) go; null: stderr.</summary>
    public static PreparedRun Create(RunSpec config, TrainGraph graph, TrainSessionOptions options, Checkpoint? resume, string resumeSource, Action<string>? warn) =>
        CreateCore(config.Validate(), graph, options, resume, resumeSource, warn, null);

    /// <summary>
    /// Sets up <paramref name="graph"/> for <paramref name="config"/>. With <paramref name="resume"/> (read from
    /// <paramref name="resumeSource"/>), the checkpoint's tensors, iteration and sample order are restored after checking
    /// it belongs to the same net and loss; otherwise the carried tensors start from the graph's initial values, or, for
    /// the parameters whose name and shape match, from <see cref="RunSpec.InitFrom"/>.
    /// </summary>
    public static PreparedRun Create(RunSpec config, TrainGraph graph, TrainSessionOptions options, Checkpoint? resume = null, string resumeSource = "") =>
        CreateCore(config.Validate(), graph, options, resume, resumeSource, null, null);

    /// <summary>
    /// The setup itself, for a spec already validated (a <see cref="RunPlan"/>'s) and, for a dataset folder, the listing
    /// the plan loaded (<paramref name="listed"/>; null: load it).
    /// </summary>
    internal static PreparedRun CreateCore(RunSpec config, TrainGraph graph, TrainSessionOptions options, Checkpoint? resume, string resumeSource, Action<string>? warn, FaceDataset? listed)
    {
        var net = config.NetConfig;
        resume?.EnsureMatches(net.Name, config.LossName, resumeSource);
        if (options.DataParallel is { Collectives.Size: > 1 } && config.Loss.Head.StartsWith("irsoftmax", StringComparison.Ordinal))
            throw new RunSpecException("loss", $"loss {config.Loss.Head} is not supported in data-parallel runs yet: its class centres are renormalised " +
                                        "(or kept as a memory bank of features) after every step, and the mean of the ranks' centres is not the one-process update (docs/distributed.md).");
        var plugins = graph.Plugins;
        if (plugins.Count > 0)
        {
            var configure = options.Configure;
            options = options with { Configure = o => { foreach (var plugin in plugins) plugin.Register(o); configure?.Invoke(o); } };
        }

        TrainStepSession? session = null;
        IBatchSource? source = null;
        try
        {
            try
            {
                session = new TrainStepSession(graph.Model, graph.Contract, options, graph.Source);
            }
            catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException e) when (graph.Folder is not null)
            {
                // A graph folder is the user's file (perhaps edited): ONNX Runtime refusing it is bad input, not a bug.
                throw new InvalidDataException($"ONNX Runtime cannot load the training step of graph folder '{graph.Folder}': {e.Message}", e);
            }
            string? initialisedFrom = null;
            if (resume is not null)
                SessionState.Restore(session, resume.Tensors, resumeSource);
            else
            {
                var init = config.InitFrom is { } path ? CheckpointFile.Load(path) : null;
                if (init is not null && init.Net != net.Name)
                    throw new InvalidDataException($"init_from checkpoint '{config.InitFrom}' is for net {init.Net}, not {net.Name}.");
                var copied = new List<string>();
                var parameters = graph.Contract.Carried.Where(c => c.Kind == CarriedKind.Parameter).Select(c => c.Input).ToHashSet();
                foreach (var start in graph.InitialValues())
                {
                    if (init is not null && parameters.Contains(start.Name) && init.Find(start.Name) is { } t && t.Shape.SequenceEqual(start.Shape))
                    {
                        session.WriteCarried(start.Name, t.Data);
                        copied.Add(start.Name);
                    }
                    else
                        session.WriteCarried(start.Name, start.Data);
                }
                if (init is not null)
                    initialisedFrom = $"{copied.Count} of {parameters.Count} parameters from {config.InitFrom} (iteration {init.Iteration}, {init.Loss}); " +
                        $"seeded: {string.Join(", ", parameters.Except(copied).DefaultIfEmpty("none"))}";
            }
            var shard = options.DataParallel is { } parallel ? new BatchShard(parallel.Collectives.Rank, parallel.Collectives.Size) : BatchShard.Whole;
            if (shard.Count != config.Machine.Ranks)
                throw new ArgumentException($"machine.ranks is {config.Machine.Ranks} but the run has {shard.Count} process(es).");
            source = DataSourceSpec.Open(config, resume?.SampleOrder, warn, shard, listed);
            var loop = new TrainingLoop(session, source, t => (float)config.Solver.LearningRateAt(t), config.Lambda.At, resume?.Iteration ?? 0);
            return new PreparedRun(config, session, source, loop, initialisedFrom);
        }
        catch
        {
            source?.Dispose();
            session?.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Source.Dispose();
        Session.Dispose();
    }
}
