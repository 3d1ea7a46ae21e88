using SphereFace.Training.Checkpoints;
using SphereFace.Training.Data;
using SphereFace.Training.Session;

namespace SphereFace.Training.Runs;

/// <summary>
/// Feeds a <see cref="TrainStepSession"/> from an <see cref="IBatchSource"/> with the scheduled lr and λ.
/// <see cref="Iteration"/> counts completed steps; step t (0-based) uses lr(t) and λ(t).
/// </summary>
public sealed class TrainingLoop
{
    private readonly TrainStepSession _session;
    private readonly IBatchSource _source;
    private readonly Func<long, float> _lr;
    private readonly Func<long, float> _lambda;

    /// <summary>Creates a loop that continues from <paramref name="startIteration"/> completed steps.</summary>
    public TrainingLoop(TrainStepSession session, IBatchSource source, Func<long, float> lr, Func<long, float> lambda, long startIteration = 0)
    {
        if (source.BatchSize != session.BatchSize)
            throw new ArgumentException($"The data source gives batches of {source.BatchSize}, the training step was built for {session.BatchSize}.");
        ArgumentOutOfRangeException.ThrowIfNegative(startIteration);
        _session = session;
        _source = source;
        _lr = lr;
        _lambda = lambda;
        Iteration = startIteration;
    }

    /// <summary>Completed steps.</summary>
    public long Iteration { get; private set; }

    /// <summary>Images per step, over all ranks of a data-parallel run.</summary>
    public int BatchSize => _session.BatchSize * (_session.Options.DataParallel?.Collectives.Size ?? 1);

    /// <summary>When set, every batch is appended to it before its step runs (<c>train --record-batches</c>).</summary>
    public BatchRecording? Recording { get; set; }

    /// <summary>Loads the next batch into the session's buffers and runs one step.</summary>
    public StepRecord Step()
    {
        _source.Next(_session.DataBuffer, _session.LabelBuffer);
        long t = Iteration;
        float lr = _lr(t), lambda = _lambda(t);
        Recording?.Append(t, lr, lambda, _session.LabelBuffer, _session.DataBuffer);
        var result = _session.Step(lr, lambda);
        Iteration = t + 1;
        return new StepRecord(t, result.Loss, result.Accuracy, lr, lambda);
    }

    /// <summary>A checkpoint of the current state (parameters read back from the device) and of the metrics window.</summary>
    public Checkpoint Capture(RunIdentity identity, MetricsWindow? window = null) => new()
    {
        Window = window ?? MetricsWindow.Empty,
        Iteration = Iteration,
        Net = identity.Net,
        Loss = identity.Loss,
        ConfigJson = identity.ConfigJson,
        SampleOrder = _source.State,
        Info = new Dictionary<string, string>
        {
            ["threads"] = _session.Threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ranks"] = (_session.Options.DataParallel?.Collectives.Size ?? 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["device"] = _session.Options.Device.ToString().ToLowerInvariant(),
            ["written_utc"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        },
        Tensors = SessionState.Capture(_session),
        Kinds = SessionState.Kinds(_session),
    };
}
