using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.TrainStep;

/// <summary>
/// The I/O contract of one <c>train_step.onnx</c> (docs/train-step.md): its fixed batch size and the carried tensors
/// with their kinds, as the manifest lists them; <see cref="Check"/> holds a model to it. A driver takes everything
/// it binds from here, so a graph built elsewhere or edited after <c>build-graph</c> trains as long as it keeps the
/// contract, and a graph that breaks it is refused with the offending tensor named. <paramref name="DataShape"/> is the
/// batch input's shape (null: [B,3,112,96], the aligned faces of the SphereFace nets).
/// </summary>
public sealed record TrainStepContract(int BatchSize, IReadOnlyList<CarriedTensor> Carried, long[]? DataShape = null)
{
    /// <summary>The shape of <see cref="DataInput"/>.</summary>
    public long[] Data => DataShape ?? [BatchSize, 3, 112, 96];

    /// <summary>Name of the batch input: float32 [B,3,112,96].</summary>
    public const string DataInput = "data";
    /// <summary>Name of the label input: int64 [B].</summary>
    public const string LabelInput = "label";
    /// <summary>Name of the learning-rate input: float32 scalar.</summary>
    public const string LrInput = "lr";
    /// <summary>Name of the A-Softmax λ input: float32 scalar (optional in a model).</summary>
    public const string LambdaInput = "lambda";
    /// <summary>Name of the batch-loss output: float32 scalar.</summary>
    public const string LossOutput = "loss";
    /// <summary>Name of the batch-accuracy output: float32 scalar.</summary>
    public const string AccuracyOutput = "accuracy";

    /// <summary>The inputs that are not carried tensors.</summary>
    public static IReadOnlyList<string> BatchInputs { get; } = [DataInput, LabelInput, LrInput, LambdaInput];

    /// <summary>
    /// Throws an <see cref="InvalidDataException"/> naming <paramref name="source"/> and the tensor when
    /// <paramref name="model"/> breaks the contract: a missing or mistyped batch input, output or carried tensor
    /// (input X or output <c>next/X</c>), a shape other than the manifest's, or an input the contract does not know.
    /// Outputs beyond the contract are allowed (a driver does not bind them).
    /// </summary>
    public void Check(ModelProto model, string source)
    {
        var inputs = model.Graph.Input.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var outputs = model.Graph.Output.ToDictionary(o => o.Name, StringComparer.Ordinal);
        void Expect(Dictionary<string, ValueInfoProto> values, string name, TensorProto.Types.DataType type, long[] shape, string what)
        {
            if (!values.TryGetValue(name, out var v))
                throw new InvalidDataException($"{source}: the training step has no {what} '{name}' (docs/train-step.md lists the contract).");
            var t = v.Type?.TensorType ?? throw new InvalidDataException($"{source}: {what} '{name}' is not a tensor.");
            if (t.ElemType != (int)type)
                throw new InvalidDataException($"{source}: {what} '{name}' has element type {(TensorProto.Types.DataType)t.ElemType}, expected {type}.");
            var dims = t.Shape?.Dim.Select(d => d.HasDimValue ? d.DimValue : -1).ToArray() ?? [];
            if (!dims.SequenceEqual(shape))
                throw new InvalidDataException($"{source}: {what} '{name}' has shape [{string.Join(",", dims.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}], expected [{string.Join(",", shape)}].");
        }
        const TensorProto.Types.DataType F32 = TensorProto.Types.DataType.Float;
        Expect(inputs, DataInput, F32, Data, "input");
        Expect(inputs, LabelInput, TensorProto.Types.DataType.Int64, [BatchSize], "input");
        Expect(inputs, LrInput, F32, [], "input");
        if (inputs.ContainsKey(LambdaInput)) Expect(inputs, LambdaInput, F32, [], "input");
        Expect(outputs, LossOutput, F32, [], "output");
        Expect(outputs, AccuracyOutput, F32, [], "output");
        foreach (var c in Carried)
        {
            Expect(inputs, c.Input, F32, c.Shape, $"carried {CarriedTensor.KindName(c.Kind)} input");
            Expect(outputs, c.Output, F32, c.Shape, $"carried {CarriedTensor.KindName(c.Kind)} output");
        }
        var known = BatchInputs.Concat(Carried.Select(c => c.Input)).ToHashSet(StringComparer.Ordinal);
        if (inputs.Keys.FirstOrDefault(i => !known.Contains(i)) is { } unknown)
            throw new InvalidDataException($"{source}: input '{unknown}' is neither a batch input ({string.Join(", ", BatchInputs)}) nor a carried tensor of the manifest.");
    }
}
