using System.Diagnostics;
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
/// cancellation is requested (checked between steps, so the step in flight always completes).
/// </summary>
public sealed class TrainingRun(TrainingLoop loop, RunFolder folder, RunIdentity identity, long iterations, int logEvery, int checkpointEvery)
{
    /// <summary>Called after every step (progress display, tests).</summary>
    public Action<StepRecord>? Stepped { get; set; }
    /// <summary>Called for every metrics row.</summary>
    public Action<MetricsRow>? Logged { get; set; }
    /// <summary>Whether rows carry λ (the graph has a λ input); heads without λ log none.</summary>
    public bool LogsLambda { get; init; } = true;
    /// <summary>Called after every checkpoint with its iteration.</summary>
    public Action<long>? Checkpointed { get; set; }

    /// <summary>Runs until <c>iterations</c> steps are complete or <paramref name="cancel"/> is signalled.</summary>
    public RunOutcome Run(CancellationToken cancel)
    {
        if (logEvery < 1 || checkpointEvery < 1) throw new ArgumentException($"Log and checkpoint intervals must be ≥ 1 (got {logEvery}, {checkpointEvery}).");
        long lastCheckpoint = -1;
        double lossSum = 0, accSum = 0;
        int windowSteps = 0;
        var clock = Stopwatch.StartNew();
        while (loop.Iteration < iterations && !cancel.IsCancellationRequested)
        {
            var step = loop.Step();
            Stepped?.Invoke(step);
            lossSum += step.Loss;
            accSum += step.Accuracy;
            windowSteps++;
            long done = loop.Iteration;
            if (done % logEvery == 0 || done == iterations)
            {
                var row = new MetricsRow(done, lossSum / windowSteps, accSum / windowSteps, step.Lr, LogsLambda ? step.Lambda : null,
                    windowSteps * (double)loop.BatchSize / Math.Max(clock.Elapsed.TotalSeconds, 1e-9));
                folder.AppendMetrics(row);
                folder.Log(row.ToLogLine(iterations));
                Logged?.Invoke(row);
                lossSum = accSum = 0;
                windowSteps = 0;
                clock.Restart();
            }
            if (done % checkpointEvery == 0) lastCheckpoint = SaveCheckpoint();
        }
        if (lastCheckpoint != loop.Iteration) SaveCheckpoint();
        bool interrupted = loop.Iteration < iterations;
        folder.Log(interrupted ? $"interrupted at iteration {loop.Iteration}; checkpoint written" : $"finished {loop.Iteration} iterations");
        return interrupted ? RunOutcome.Interrupted : RunOutcome.Completed;
    }

    private long SaveCheckpoint()
    {
        CheckpointFile.Save(folder.CheckpointFile, loop.Capture(identity));
        Checkpointed?.Invoke(loop.Iteration);
        return loop.Iteration;
    }
}
