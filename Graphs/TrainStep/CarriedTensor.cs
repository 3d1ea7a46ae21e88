namespace SphereFace.Graphs.TrainStep;

/// <summary>What a carried tensor of the training step holds.</summary>
public enum CarriedKind
{
    /// <summary>A trainable parameter (named like the parameter, e.g. <c>conv1_1/weight</c>).</summary>
    Parameter,
    /// <summary>The SGD momentum buffer of a parameter (<c>momentum/&lt;parameter&gt;</c>).</summary>
    Momentum,
    /// <summary>Non-trained state of a loss head (<c>state/&lt;name&gt;</c>, e.g. IR-Softmax's memory bank).</summary>
    State,
}

/// <summary>
/// A float32 tensor the training step carries from step to step (docs/train-step.md): fed as graph input
/// <see cref="Input"/> at step t, returned as output <see cref="Output"/> (<c>next/</c> + input) for step t + 1.
/// The names, prefixes and kinds of the I/O contract are defined here and nowhere else.
/// </summary>
public sealed record CarriedTensor(string Input, long[] Shape, CarriedKind Kind)
{
    /// <summary>Prefix of the output that holds a carried tensor's value after the step.</summary>
    public const string NextPrefix = "next/";
    /// <summary>Prefix of the momentum buffers' names.</summary>
    public const string MomentumPrefix = "momentum/";
    /// <summary>Prefix of the loss heads' state tensors' names.</summary>
    public const string StatePrefix = "state/";

    /// <summary>The output holding the value after the step.</summary>
    public string Output => OutputFor(Input);

    /// <summary>Number of float values.</summary>
    public long Count => Shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>The output name of carried input <paramref name="input"/>.</summary>
    public static string OutputFor(string input) => NextPrefix + input;

    /// <summary>The name of the momentum buffer of <paramref name="parameter"/>.</summary>
    public static string MomentumOf(string parameter) => MomentumPrefix + parameter;

    /// <summary>The name of a loss head's state tensor <paramref name="name"/>.</summary>
    public static string StateNamed(string name) => StatePrefix + name;

    /// <summary>
    /// The kind a carried tensor of this name has under the naming rules above: how checkpoints written before kinds
    /// were recorded are read. Everything else takes the kind from the manifest or the checkpoint.
    /// </summary>
    public static CarriedKind KindFromName(string input) =>
        input.StartsWith(MomentumPrefix, StringComparison.Ordinal) ? CarriedKind.Momentum
        : input.StartsWith(StatePrefix, StringComparison.Ordinal) ? CarriedKind.State
        : CarriedKind.Parameter;

    /// <summary>The kind's name in manifests and checkpoints ("parameter", "momentum", "state").</summary>
    public static string KindName(CarriedKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>Parses a kind's name.</summary>
    /// <exception cref="ArgumentException">Not one of parameter, momentum, state.</exception>
    public static CarriedKind ParseKind(string name) => name switch
    {
        "parameter" => CarriedKind.Parameter,
        "momentum" => CarriedKind.Momentum,
        "state" => CarriedKind.State,
        _ => throw new ArgumentException($"carried-tensor kind '{name}' is not one of parameter, momentum, state"),
    };
}
