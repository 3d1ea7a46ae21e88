using SphereFace.Graphs.Export;
using SphereFace.Graphs.IO;
using SphereFace.Models.Onnx;
using SphereFace.Graphs.Parameters;
using SphereFace.Training.Checkpoints;
using SphereFace.Training.Runs;
using SphereFace.Graphs.TrainStep;
using SphereFace.Models;

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
        // Every other parameter must belong to the loss head the checkpoint names: a tensor of another net (sphere20
        // layers under sphere4 metadata) means the file is not what it says, and exporting a subset would hide that.
        var used = model.Graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var head = new ParameterStore(0);
        if (config.Classes is { } classes) Graphs.Losses.LossGraph.Build(config.Loss, classes, net.EmbeddingSize, head);
        var foreign = store.All.Take(before).Select(p => p.Name).Where(n => !used.Contains(n) && !head.Contains(n)).ToList();
        if (foreign.Count > 0)
            throw new InvalidDataException($"Checkpoint '{source}' holds parameters that {net.Name} with loss '{checkpoint.Loss}' does not have: " +
                                           $"{string.Join(", ", foreign.Take(5))}{(foreign.Count > 5 ? $" and {foreign.Count - 5} more" : "")} (a checkpoint of another net?).");
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
