using System.Diagnostics;
using System.Numerics.Tensors;
using SphereFace.Models.Errors;
using SphereFace.Training.Checkpoints;

namespace SphereFace.Training.Runs;

/// <summary>How a <see cref="TrainingRun"/> ended.</summary>
public enum RunOutcome
{
    /// <summary>All iterations ran.</summary>
    Completed,
    /// <summary>Cancellation was requested; the current step finished and a checkpoint was written.</summary>
    Interrupted,
}

/// <summary>
/// Drives a <see cref="TrainingLoop"/> up to a total iteration count: a metrics row (CSV + log line) every
/// <c>logEvery</c> iterations, a checkpoint every <c>checkpointEvery</c> iterations, at the end, and when
/// cancellation is requested (checked between steps, so the step in flight always completes). A non-finite loss, or
/// non-finite values in the tensors about to be checkpointed, stops the run with
/// <see cref="SphereFaceErrorCode.TrainingDiverged"/> and writes nothing: the last good checkpoint stays.
/// </summary>
public sealed class TrainingRun(TrainingLoop loop, RunFolder folder, RunIdentity identity, long iterations, int logEvery, int checkpointEvery)
{
    /// <summary>Called after every step (progress display, tests).</summary>
    public Action<StepRecord>? Stepped { get; set; }
    /// <summary>Called for every metrics row.</summary>
    public Action<MetricsRow>? Logged { get; set; }
    /// <summary>Whether rows carry λ (the head reads it); heads without λ log none.</summary>
    public bool LogsLambda { get; init; } = true;
    /// <summary>
    /// Whether this process writes the metrics, log and checkpoints (false on the ranks other than 0 of a data-parallel
    /// run, which compute the same state).
    /// </summary>
    public bool WritesFolder { get; init; } = true;
    /// <summary>A stop agreed between processes (data-parallel runs), checked with the cancellation token between steps.</summary>
    public Func<bool>? StopAgreed { get; init; }
    /// <summary>The metrics window the run starts with: a resumed checkpoint's (<see cref="Checkpoint.Window"/>).</summary>
    public MetricsWindow StartWindow { get; init; } = MetricsWindow.Empty;

    /// <summary>Runs until <c>iterations</c> steps are complete or <paramref name="cancel"/> is signalled.</summary>
    /// <exception cref="SphereFaceException">The run diverged (<see cref="SphereFaceErrorCode.TrainingDiverged"/>).</exception>
    public RunOutcome Run(CancellationToken cancel)
    {
        if (logEvery < 1 || checkpointEvery < 1) throw new ArgumentException($"Log and checkpoint intervals must be ≥ 1 (got {logEvery}, {checkpointEvery}).");
        long lastCheckpoint = -1;
        var window = StartWindow;
        var clock = Stopwatch.StartNew();
        int timedSteps = 0;
        bool Stopping() => cancel.IsCancellationRequested || (StopAgreed?.Invoke() ?? false);
        while (loop.Iteration < iterations && !Stopping())
        {
            var step = loop.Step();
            if (!float.IsFinite(step.Loss))
                Diverged($"the loss of iteration {step.Iteration + 1} is {step.Loss} (lr {step.Lr}{(LogsLambda ? $", λ {step.Lambda}" : "")})", lastCheckpoint);
            Stepped?.Invoke(step);
            window = window.Add(step.Loss, step.Accuracy);
            timedSteps++;
            long done = loop.Iteration;
            if (done % logEvery == 0 || done == iterations)
            {
                var row = new MetricsRow(done, window.LossSum / window.Steps, window.AccuracySum / window.Steps, step.Lr, LogsLambda ? step.Lambda : null,
                    timedSteps * (double)loop.BatchSize / Math.Max(clock.Elapsed.TotalSeconds, 1e-9));
                if (WritesFolder)
                {
                    folder.AppendMetrics(row);
                    folder.Log(row.ToLogLine(iterations));
                }
                Logged?.Invoke(row);
                window = MetricsWindow.Empty;
                timedSteps = 0;
                clock.Restart();
            }
            if (done % checkpointEvery == 0) lastCheckpoint = SaveCheckpoint(window, lastCheckpoint);
        }
        if (lastCheckpoint != loop.Iteration) SaveCheckpoint(window, lastCheckpoint);
        bool interrupted = loop.Iteration < iterations;
        if (WritesFolder) folder.Log(interrupted ? $"interrupted at iteration {loop.Iteration}; checkpoint written" : $"finished {loop.Iteration} iterations");
        return interrupted ? RunOutcome.Interrupted : RunOutcome.Completed;
    }

    private long SaveCheckpoint(MetricsWindow window, long lastCheckpoint)
    {
        if (!WritesFolder) return loop.Iteration;
        var checkpoint = loop.Capture(identity, window);
        foreach (var t in checkpoint.Tensors)
            if (IndexOfNonFinite(t.Data) is int i and >= 0)
                Diverged($"after iteration {checkpoint.Iteration} tensor '{t.Name}' holds {t.Data[i]} at index {i}", lastCheckpoint);
        CheckpointFile.Save(folder.CheckpointFile, checkpoint);
        return loop.Iteration;
    }

    private void Diverged(string what, long lastCheckpoint)
    {
        string kept = lastCheckpoint >= 0 ? $"the checkpoint of iteration {lastCheckpoint} is kept"
            : File.Exists(folder.CheckpointFile) ? $"the checkpoint already in {folder.Root} is kept" : "no checkpoint was written";
        string message = $"training diverged: {what}; nothing of it was saved and {kept}. Lower solver.base_lr, or check the data.";
        if (WritesFolder) folder.Log(message);
        throw new SphereFaceException(SphereFaceErrorCode.TrainingDiverged, message);
    }

    /// <summary>The index of the first NaN or infinity in <paramref name="values"/>, or −1.</summary>
    public static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        // A finite sum proves every value finite (vectorised); only when it is not is the offender looked for (a sum
        // of huge finite values can overflow, so finding none then means all are finite).
        if (float.IsFinite(TensorPrimitives.Sum(values))) return -1;
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }
}
