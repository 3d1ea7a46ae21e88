namespace SphereFace.Training.Runs;

/// <summary>
/// What a <see cref="Trainer"/> reports while it runs, in order, on the training thread: a <see cref="Started"/>, then
/// <see cref="Stepped"/> after every step, <see cref="Logged"/> for every metrics row and <see cref="Message"/> for
/// every line worth showing (what is trained, skipped images, the data-parallel time). A progress that posts to another
/// thread (<see cref="Progress{T}"/> with a synchronisation context) may see them reordered.
/// </summary>
public abstract record TrainingProgress
{
    private TrainingProgress() { }

    /// <summary>
    /// The run starts at <paramref name="Iteration"/> (0, or a resumed checkpoint's) of <paramref name="Total"/>, training
    /// <paramref name="Spec"/>, the effective spec saved as <paramref name="ConfigFile"/>.
    /// </summary>
    public sealed record Started(long Iteration, long Total, RunSpec Spec, string ConfigFile) : TrainingProgress
    {
        /// <summary>A line: where the run starts and where its spec is.</summary>
        public override string ToString() => $"starting at iteration {Iteration} of {Total}; effective run spec → {ConfigFile}";
    }

    /// <summary>One step done.</summary>
    public sealed record Stepped(StepRecord Step, long Total) : TrainingProgress
    {
        /// <summary>A line: the step's iteration (1-based), loss and accuracy.</summary>
        public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"step {Step.Iteration + 1}/{Total}  loss {Step.Loss:F4}  acc {Step.Accuracy:F4}");
    }

    /// <summary>One metrics row, also appended to the run folder's metrics.csv and train.log.</summary>
    public sealed record Logged(MetricsRow Row, long Total) : TrainingProgress
    {
        /// <summary>The row as the log line train.log holds.</summary>
        public override string ToString() => Row.ToLogLine(Total);
    }

    /// <summary>A line for the user; <paramref name="IsWarning"/> for the data's problems (skipped images, unlisted landmarks).</summary>
    public sealed record Message(string Text, bool IsWarning = false) : TrainingProgress
    {
        /// <summary>The line.</summary>
        public override string ToString() => Text;
    }
}

/// <summary>What a <see cref="Trainer"/> run ended with.</summary>
/// <param name="Outcome">Completed, or interrupted by cancellation (a checkpoint was written).</param>
/// <param name="Iteration">The iteration reached.</param>
/// <param name="Spec">The effective spec that was trained (the run folder's config.json).</param>
/// <param name="Folder">The run folder.</param>
/// <param name="EmbeddingModel">The embedding model exported beside the checkpoint when the run completed; null otherwise (and on ranks other than 0).</param>
public sealed record TrainingResult(RunOutcome Outcome, long Iteration, RunSpec Spec, RunFolder Folder, string? EmbeddingModel);
