using SphereFace.Graphs.Export;
using SphereFace.Graphs.IO;
using SphereFace.Graphs.Onnx;
using SphereFace.Graphs.Parameters;
using SphereFace.Training.Checkpoints;
using SphereFace.Training.Runs;
using SphereFace.Graphs.TrainStep;

namespace SphereFace.Training.Export;

/// <summary>
/// Turns a training checkpoint into the frozen embedding graph: the same forward graph the training step uses
/// (<see cref="EmbeddingGraph"/>), with the checkpoint's trained parameters as initializers.
/// </summary>
public static class CheckpointExport
{
    /// <summary>
    /// Builds the embedding model from <paramref name="checkpoint"/>. Every backbone parameter must be in the
    /// checkpoint with the right shape; a missing one is an <see cref="InvalidDataException"/> (never filled
    /// with fresh random values). Momenta, state and classifier weights are not exported.
    /// </summary>
    public static ModelProto Build(Checkpoint checkpoint, string source)
    {
        var config = RunSpec.FromJson(checkpoint.ConfigJson, source);
        var net = config.NetConfig;
        if (net.Name != checkpoint.Net)
            throw new InvalidDataException($"Checkpoint '{source}' says net {checkpoint.Net} but its configuration says {net.Name}.");
        var store = new ParameterStore(config.Seed);
        foreach (var t in checkpoint.Tensors.Where(t => checkpoint.KindOf(t.Name) == CarriedKind.Parameter))
            store.Add(new Parameter(t.Name, t.Shape, t.Data));
        int before = store.All.Count;
        ModelProto model;
        try
        {
            model = EmbeddingGraph.Build(net, store);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Checkpoint '{source}' does not fit {net.Name}: {e.Message}", e);
        }
        if (store.All.Count != before)
            throw new InvalidDataException($"Checkpoint '{source}' lacks {net.Name} parameters: {string.Join(", ", store.All.Skip(before).Take(5).Select(p => p.Name))}.");
        model.MetadataProps.Add(new StringStringEntryProto { Key = InputContract.Prefix + "trained_iterations", Value = checkpoint.Iteration.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        model.MetadataProps.Add(new StringStringEntryProto { Key = InputContract.Prefix + "loss", Value = checkpoint.Loss });
        return model;
    }

    /// <summary>Reads <paramref name="checkpointPath"/> and writes the embedding model to <paramref name="outPath"/> atomically.</summary>
    public static ModelProto Export(string checkpointPath, string outPath)
    {
        var model = Build(CheckpointFile.Load(checkpointPath), checkpointPath);
        ModelFile.Save(model, outPath);
        return model;
    }
}
