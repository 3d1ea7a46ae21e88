using System.Text.Json.Nodes;
using SphereFace.Graphs.Building;
using SphereFace.Graphs.Parameters;

namespace SphereFace.Graphs.Losses;

/// <summary>One parameter of a loss head: its name in run specs and manifests, its default, and what it means.</summary>
public sealed record LossParameter(string Name, JsonNode Default, string Description);

/// <summary>
/// What a head is appended to: feature [B, D] float, label [B] int64, the λ scalar graph value (A-Softmax annealing;
/// unused by heads without λ), the number of classes, and the store the classifier's parameters come from.
/// </summary>
public sealed record LossInputs(GraphBuilder Graph, string Feature, string Label, string Lambda, int Classes, ParameterStore Store)
{
    /// <summary>Feature width D.</summary>
    public long Width => Graph.Info(Feature).Shape[1];
}

/// <summary>
/// A classification loss head (docs/losses.md): one class per head in <c>Graphs/Losses/Heads</c>, found by
/// <see cref="LossHeads"/> the way op rules are. A head names itself and its parameters, validates them, appends its
/// graph (classifier, logits, mean cross-entropy, top-1 accuracy) and says whether it needs a plugin library.
/// </summary>
public interface ILossHead
{
    /// <summary>Name in run specs, on the command line and in manifests, e.g. "asoftmax".</summary>
    string Name { get; }

    /// <summary>One line for help texts and reports, e.g. "A-Softmax: ‖x‖ψ(θ_y) for the target".</summary>
    string Description { get; }

    /// <summary>The head's parameters with their defaults.</summary>
    IReadOnlyList<LossParameter> Parameters { get; }

    /// <summary>True when the head reads the λ input (A-Softmax's annealing), so the trainer schedules and logs λ.</summary>
    bool UsesLambda => false;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the parameter when a value is out of range.</summary>
    void Validate(LossConfig config);

    /// <summary>True when the head's graph holds plugin ops for <paramref name="config"/> (the margin plugin's ψ).</summary>
    bool NeedsPlugin(LossConfig config) => false;

    /// <summary>Appends the head (inside the "loss" scope; the inputs are already checked).</summary>
    LossOutputs Append(LossInputs inputs, LossConfig config);

    /// <summary>
    /// The descriptor checkpoints record to tell losses apart, e.g. "ASoftmax m=4": the settings that change the math.
    /// </summary>
    string Describe(LossConfig config);
}
