using System.Globalization;
using System.Runtime.InteropServices;
using Spectre.Console;
using SphereFace.Training.Distributed;
using SphereFace.Training.Runs;

namespace SphereFace.Cli.Pipeline;

/// <summary>
/// Runs a <see cref="RunPlan"/> for the console — <c>train</c>, the demo and the experiments: progress as log lines (a
/// progress bar on a terminal), SIGINT and SIGTERM stop after the step in flight with a checkpoint, and the end of the
/// run in a line. Exit status 0 when it completed, 130 after SIGINT, 143 after SIGTERM (or a rank stopped because
/// another one was asked to), as a shell reports a signal.
/// </summary>
internal static class ConsoleTraining
{
    public static (TrainingResult Result, int ExitCode) Run(RunPlan plan, DataParallel? parallel = null, string? recordBatches = null)
    {
        bool writer = parallel?.IsWriter ?? true;
        if (writer) foreach (var note in plan.Notes) Console.Error.WriteLine($"sphereface: {note}");
        using var cancel = new CancellationTokenSource();
        int signalExit = 143;
        ConsoleCancelEventHandler onCtrlC = (_, e) => { e.Cancel = true; signalExit = 130; cancel.Cancel(); };
        Console.CancelKeyPress += onCtrlC;
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; signalExit = 143; cancel.Cancel(); });
        try
        {
            var result = writer && Interactive ? WithProgressBar(plan, parallel, recordBatches, cancel.Token)
                : new Trainer(plan) { Progress = new Lines(null), Parallel = parallel, RecordBatches = recordBatches }.Run(cancel.Token);
            if (writer) Console.WriteLine(result.Outcome == RunOutcome.Completed
                ? $"finished {result.Iteration} iterations; checkpoint {result.Folder.CheckpointFile}, metrics {result.Folder.MetricsFile}\nembedding model → {result.EmbeddingModel}"
                : $"interrupted at iteration {result.Iteration}; continue with --resume {result.Folder.CheckpointFile}");
            return (result, result.Outcome == RunOutcome.Completed ? 0 : signalExit);
        }
        finally
        {
            Console.CancelKeyPress -= onCtrlC;
        }
    }

    // A progress bar redraws in place; piped into a file or another program it would interleave with the log lines.
    private static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    private static TrainingResult WithProgressBar(RunPlan plan, DataParallel? parallel, string? recordBatches, CancellationToken cancel)
    {
        TrainingResult? result = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx => result = new Trainer(plan) { Progress = new Lines(ctx), Parallel = parallel, RecordBatches = recordBatches }.Run(cancel));
        return result!;
    }

    /// <summary>Prints each report as it comes, on the training thread: lines to stdout, warnings to stderr, steps to the bar.</summary>
    private sealed class Lines(ProgressContext? bar) : IProgress<TrainingProgress>
    {
        private ProgressTask? _task;

        public void Report(TrainingProgress value)
        {
            switch (value)
            {
                case TrainingProgress.Started s:
                    Console.WriteLine($"effective run spec → {s.ConfigFile}");
                    Console.WriteLine(s.Spec.ToJson());
                    if (bar is not null) _task = bar.AddTask("train", maxValue: s.Total).Value(s.Iteration);
                    break;
                case TrainingProgress.Stepped s when _task is not null:
                    _task.Value = s.Step.Iteration + 1;
                    _task.Description = string.Create(CultureInfo.InvariantCulture, $"loss {s.Step.Loss:F3}");
                    break;
                case TrainingProgress.Message { IsWarning: true } m:
                    Console.Error.WriteLine($"sphereface: {m.Text}");
                    break;
                case TrainingProgress.Message or TrainingProgress.Logged:
                    if (bar is null) Console.WriteLine(value);
                    else AnsiConsole.WriteLine(value.ToString()!);
                    break;
            }
        }
    }
}
