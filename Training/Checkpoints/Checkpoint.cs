using SphereFace.Graphs.IO;
using SphereFace.Graphs.TrainStep;
using SphereFace.Training.Data;

namespace SphereFace.Training.Checkpoints;

/// <summary>
/// Everything needed to continue a training run exactly: the carried tensors of the training step
/// (parameters, momenta, state) by their graph input names, the number of completed iterations, the sample
/// order of the data source, and the run's configuration (JSON). <see cref="Net"/> and <see cref="Loss"/>
/// identify the model so a checkpoint from another net or loss is refused by name.
/// </summary>
public sealed class Checkpoint
{
    /// <summary>Value of the <c>format</c> metadata entry.</summary>
    public const string Format = "sphereface-checkpoint-1";

    /// <summary>Completed training iterations (the next step is iteration <see cref="Iteration"/>, 0-based).</summary>
    public required long Iteration { get; init; }
    /// <summary>Net name, e.g. "sphere20".</summary>
    public required string Net { get; init; }
    /// <summary>Loss descriptor, e.g. "ASoftmax m=4".</summary>
    public required string Loss { get; init; }
    /// <summary>Where the data source's sample order stands after the last completed iteration.</summary>
    public required SampleOrderState SampleOrder { get; init; }
    /// <summary>The run configuration as JSON.</summary>
    public required string ConfigJson { get; init; }
    /// <summary>Informational entries (thread count, device, time) that do not affect resuming.</summary>
    public IReadOnlyDictionary<string, string> Info { get; init; } = new Dictionary<string, string>();
    /// <summary>Carried tensors, by graph input name (e.g. "conv1_1/weight", "momentum/conv1_1/weight").</summary>
    public required IReadOnlyList<NamedTensor> Tensors { get; init; }
    /// <summary>The steps since the last metrics row, so a resumed run logs the rows the uninterrupted one would.</summary>
    public Runs.MetricsWindow Window { get; init; } = Runs.MetricsWindow.Empty;
    /// <summary>Each tensor's kind (parameter, momentum, state), as the training step's contract had it.</summary>
    public required IReadOnlyDictionary<string, CarriedKind> Kinds { get; init; }

    /// <summary>The kind of tensor <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The checkpoint has no such tensor.</exception>
    public CarriedKind KindOf(string name) => Kinds.TryGetValue(name, out var k) ? k
        : throw new KeyNotFoundException($"The checkpoint has no tensor '{name}'.");

    /// <summary>The tensor called <paramref name="name"/>, or null.</summary>
    public NamedTensor? Find(string name) => Tensors.FirstOrDefault(t => t.Name == name);

    /// <summary>
    /// Throws an <see cref="InvalidDataException"/> naming both sides when this checkpoint was written for a
    /// different net or loss than <paramref name="net"/> / <paramref name="loss"/>.
    /// </summary>
    public void EnsureMatches(string net, string loss, string source)
    {
        if (!string.Equals(Net, net, StringComparison.Ordinal))
            throw new InvalidDataException($"Checkpoint '{source}' is for net {Net}, not {net}.");
        if (!string.Equals(Loss, loss, StringComparison.Ordinal))
            throw new InvalidDataException($"Checkpoint '{source}' is for loss '{Loss}', not '{loss}'.");
    }
}
