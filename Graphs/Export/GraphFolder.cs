using SphereFace.Models.Native;
using SphereFace.Graphs.IO;
using SphereFace.Graphs.Losses;
using SphereFace.Graphs.Nets;
using SphereFace.Models.Onnx;
using SphereFace.Graphs.Parameters;
using SphereFace.Graphs.TrainStep;
using SphereFace.Models;

namespace SphereFace.Graphs.Export;

/// <summary>What a graph folder is built for: net, loss head, classes, the training step's batch, solver and kernels, and the initialisation seed.</summary>
public sealed record GraphFolderSpec(SphereNetConfig Net, LossConfig Loss, int Classes, int BatchSize, SolverSpec Solver, KernelChoice Kernels, ulong Seed);

/// <summary>The graphs of one folder, built in memory: the manifest, <c>embedding.onnx</c>, <c>loss.onnx</c> and the training step.</summary>
public sealed record GraphSet(Manifest Manifest, ModelProto Embedding, ModelProto Loss, TrainStepGraph TrainStep);

/// <summary>
/// A folder of graphs written by <c>build-graph</c>: <c>embedding.onnx</c>, <c>loss.onnx</c>, <c>train_step.onnx</c>,
/// <c>initial.safetensors</c> (the carried tensors the step starts from) and <c>manifest.json</c> — everything a
/// trainer needs (docs/train-step.md). <c>train</c> builds the same set in memory when it is given no folder.
/// </summary>
public static class GraphFolder
{
    /// <summary>File names inside a graph folder.</summary>
    public const string EmbeddingFile = "embedding.onnx", LossFile = "loss.onnx", TrainStepFile = "train_step.onnx";

    /// <summary>
    /// Builds every graph for <paramref name="spec"/>. Parameters come from <paramref name="store"/> when given (a
    /// checkpoint's), else they are seeded from <see cref="GraphFolderSpec.Seed"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The spec is inconsistent (e.g. fewer than 2 classes).</exception>
    public static GraphSet Build(GraphFolderSpec spec, ParameterStore? store = null)
    {
        if (spec.Classes < 2) throw new ArgumentException($"classes must be at least 2, got {spec.Classes}.");
        store ??= new ParameterStore(spec.Seed);
        var embedding = EmbeddingGraph.Build(spec.Net, store);
        long backbone = store.TotalCount;
        var lossModel = LossGraph.Build(spec.Loss, spec.Classes, spec.Net.EmbeddingSize, store);
        var step = TrainStepGraph.Build(new TrainStepConfig(spec.Net, spec.Loss, spec.Classes, spec.BatchSize, spec.Solver, spec.Kernels), store);
        var manifest = new Manifest
        {
            Net = spec.Net.Name, Classes = spec.Classes, BackboneParameters = backbone, Seed = store.Seed,
            LastRelu = spec.Net.LastRelu, EmbeddingSize = spec.Net.EmbeddingSize, Input = new InputContract(EmbeddingSize: spec.Net.EmbeddingSize),
        };
        manifest.Sections["loss"] = LossGraph.ManifestSection(spec.Loss, spec.Classes, spec.Net.EmbeddingSize, LossFile);
        manifest.Sections[TrainStepManifest.SectionName] = TrainStepManifest.Section(step);
        return new GraphSet(manifest, embedding, lossModel, step);
    }

    /// <summary>
    /// Writes <paramref name="set"/> into <paramref name="folder"/>: every graph, <c>initial.safetensors</c> when
    /// <paramref name="initial"/>, then the manifest. Each file is written atomically, so a failure leaves no partial file.
    /// </summary>
    /// <exception cref="IOException">The folder is a file or not writable.</exception>
    public static void Write(string folder, GraphSet set, bool initial = true)
    {
        var graphs = new List<(string, string, ModelProto)>
        {
            ("embedding", EmbeddingFile, set.Embedding), ("loss", LossFile, set.Loss), ("train_step", TrainStepFile, set.TrainStep.Model),
        };
        EnsureWritable(folder);
        if (initial) CarriedTensorFile.WriteInitial(Path.Combine(folder, TrainStepManifest.InitialFile), set.TrainStep);
        Write(folder, set.Manifest, graphs);
    }

    /// <summary>
    /// Writes every graph and then the manifest into <paramref name="folder"/>. Everything is built in memory
    /// before this is called; each file is written atomically, so a failure leaves no partial file behind.
    /// </summary>
    public static void Write(string folder, Manifest manifest, IReadOnlyList<(string Role, string File, ModelProto Model)> graphs)
    {
        EnsureWritable(folder);
        foreach (var (role, file, model) in graphs)
        {
            ModelFile.Save(model, Path.Combine(folder, file));
            manifest.Files[role] = file;
        }
        manifest.Save(folder);
    }

    /// <summary>Creates <paramref name="folder"/> if needed and checks a file can be created in it; throws a clear error otherwise.</summary>
    public static void EnsureWritable(string folder)
    {
        if (File.Exists(folder)) throw new IOException($"Output folder '{folder}' is an existing file.");
        try
        {
            Directory.CreateDirectory(folder);
            string probe = Path.Combine(folder, $".write-probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new IOException($"Output folder '{folder}' is not writable: {e.Message}", e);
        }
    }
}
