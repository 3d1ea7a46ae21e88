using SphereFace.Graphs.Losses;
using SphereFace.Graphs.Optimizers;
using SphereFace.Graphs.Parameters;
using SphereFace.Graphs.TrainStep;
using SphereFace.Training.Checkpoints;
using SphereFace.Training.Data;
using SphereFace.Training.Session;

namespace SphereFace.Training.Runs;

/// <summary>
/// A training run ready to go: the training-step graph built for the configuration, its session with the
/// parameters loaded (seeded initial values, or a checkpoint's parameters, momenta and state), the data
/// source at the right sample position, and the lr and λ schedules.
/// </summary>
public sealed class PreparedRun : IDisposable
{
    private PreparedRun(TrainRunConfig config, TrainStepSession session, IBatchSource source, TrainingLoop loop, string? initialisedFrom)
    {
        InitialisedFrom = initialisedFrom;
        Config = config;
        Session = session;
        Source = source;
        Loop = loop;
    }

    /// <summary>The run configuration.</summary>
    public TrainRunConfig Config { get; }
    /// <summary>The training-step session.</summary>
    public TrainStepSession Session { get; }
    /// <summary>The data source.</summary>
    public IBatchSource Source { get; }
    /// <summary>The step loop (its <see cref="TrainingLoop.Iteration"/> is where the run starts).</summary>
    public TrainingLoop Loop { get; }
    /// <summary>With <see cref="TrainRunConfig.InitFrom"/> on a new run: which parameters came from that checkpoint.</summary>
    public string? InitialisedFrom { get; }
    /// <summary>What checkpoints record about the model.</summary>
    public RunIdentity Identity => new(Config.NetConfig.Name, Config.LossName, Config.ToJson());

    /// <summary>
    /// Builds everything for <paramref name="config"/>. With <paramref name="resume"/> (read from
    /// <paramref name="resumeSource"/>), the checkpoint's tensors, iteration and sample order are restored after
    /// checking it belongs to the same net and loss.
    /// </summary>
    public static PreparedRun Create(TrainRunConfig config, TrainSessionOptions options, Checkpoint? resume = null, string resumeSource = "")
    {
        config.Validate();
        var net = config.NetConfig;
        resume?.EnsureMatches(net.Name, config.LossName, resumeSource);
        var lr = new MultiStepLr(config.BaseLr, config.LrGamma, config.LrSteps, config.Iterations);
        var lambda = new LambdaSchedule(config.LambdaBase, config.LambdaGamma, config.LambdaPower, config.LambdaMin).Validate();

        var store = new ParameterStore(config.Seed);
        var solver = new SolverConfig(config.Momentum, config.WeightDecay, config.BiasLrMult, config.BiasDecayMult);
        var step = TrainStepGraph.Build(new TrainStepConfig(net, config.Loss, config.Classes, config.BatchSize, solver, config.Kernels), store);
        if (step.NeedsPlugin)
        {
            var configure = options.Configure;
            options = options with { Configure = o => { foreach (var plugin in step.Plugins) plugin.Register(o); configure?.Invoke(o); } };
        }

        TrainStepSession? session = null;
        IBatchSource? source = null;
        try
        {
            session = new TrainStepSession(step.Model, options);
            string? initialisedFrom = null;
            if (resume is not null)
                SessionState.Restore(session, resume.Tensors, resumeSource);
            else
            {
                var init = config.InitFrom is { } path ? CheckpointFile.Load(path) : null;
                if (init is not null && init.Net != net.Name)
                    throw new InvalidDataException($"--init-from checkpoint '{config.InitFrom}' is for net {init.Net}, not {net.Name}.");
                var copied = new List<string>();
                var parameters = step.Carried.Where(c => c.Kind == CarriedKind.Parameter).ToList();
                foreach (var c in parameters)
                {
                    var start = store[c.Input];
                    if (init?.Find(c.Input) is { } t && t.Shape.SequenceEqual(start.Shape))
                    {
                        session.WriteCarried(c.Input, t.Data);
                        copied.Add(c.Input);
                    }
                    else
                        session.WriteCarried(c.Input, start.Data);
                }
                if (init is not null)
                    initialisedFrom = $"{copied.Count} of {parameters.Count} parameters from {config.InitFrom} (iteration {init.Iteration}, {init.Loss}); " +
                        $"seeded: {string.Join(", ", parameters.Select(c => c.Input).Except(copied).DefaultIfEmpty("none"))}";
            }
            source = DataSourceSpec.Open(config, resume?.SampleOrder);
            var loop = new TrainingLoop(session, source, t => (float)lr.At(checked((int)t)), lambda.At, resume?.Iteration ?? 0);
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
