using SphereFace.Graphs.Export;
using SphereFace.Graphs.IO;
using SphereFace.Models.Native;
using SphereFace.Models.Onnx;
using SphereFace.Graphs.TrainStep;

namespace SphereFace.Training.Runs;

/// <summary>
/// The training-step graph a run trains, with everything a session needs besides data: the model, its I/O contract
/// (from the manifest, checked against the model), the plugin libraries its custom ops need, the manifest, and the
/// carried tensors it starts from. It comes from a graph folder on disk (<c>train --graph</c>, or a run folder's
/// saved copy on resume) or from a <see cref="GraphSet"/> built in memory — the same thing either way.
/// </summary>
public sealed class TrainGraph
{
    /// <summary>Sub-folder of a run folder that holds the trained graph (model and manifest).</summary>
    public const string RunSubfolder = "graph";

    private readonly Func<IReadOnlyList<NamedTensor>> _initial;

    private TrainGraph(ModelProto model, Manifest manifest, TrainStepContract contract, string source, string? folder, Func<IReadOnlyList<NamedTensor>> initial)
    {
        Folder = folder;
        Model = model;
        Manifest = manifest;
        Contract = contract;
        Source = source;
        Plugins = PluginLibrary.For(model);
        _initial = initial;
    }

    /// <summary>The training-step model.</summary>
    public ModelProto Model { get; }
    /// <summary>The graph folder's manifest (net, classes, loss and training-step sections).</summary>
    public Manifest Manifest { get; }
    /// <summary>Batch size and carried tensors.</summary>
    public TrainStepContract Contract { get; }
    /// <summary>Where the graph came from, for messages: its model file, or a description of the in-memory build.</summary>
    public string Source { get; }
    /// <summary>The graph folder it was read from (absolute), or null when it was built in memory.</summary>
    public string? Folder { get; }
    /// <summary>The plugin libraries the model's custom-domain nodes need.</summary>
    public IReadOnlyList<PluginLibrary> Plugins { get; }

    /// <summary>The carried tensors' starting values in contract order (read from the folder's <c>initial.safetensors</c> on first use).</summary>
    /// <exception cref="InvalidDataException">The file is missing, damaged or does not match the contract.</exception>
    public IReadOnlyList<NamedTensor> InitialValues() => _initial();

    /// <summary>The graph <paramref name="set"/> built in memory (its initial values are the set's).</summary>
    public static TrainGraph FromSet(GraphSet set) =>
        new(set.TrainStep.Model, set.Manifest, set.TrainStep.Contract, "the training step built in memory", null,
            () => set.TrainStep.InitialValues().ToArray());

    /// <summary>
    /// Reads a graph folder: <c>manifest.json</c>, its training-step model, and (when first asked for) its initial values.
    /// </summary>
    /// <exception cref="FileNotFoundException">The folder, manifest or model is missing.</exception>
    /// <exception cref="InvalidDataException">A file is damaged or the model breaks the manifest's contract; the message names the file and tensor.</exception>
    public static TrainGraph FromFolder(string folder)
    {
        if (!Directory.Exists(folder)) throw new FileNotFoundException($"Graph folder '{folder}' does not exist (write one with build-graph).", folder);
        string manifestPath = Path.Combine(folder, Manifest.FileName);
        if (!File.Exists(manifestPath)) throw new FileNotFoundException($"Graph folder '{folder}' has no {Manifest.FileName} (write one with build-graph).", manifestPath);
        var manifest = Manifest.Load(manifestPath);
        string file = manifest.Files.GetValueOrDefault("train_step") ?? GraphFolder.TrainStepFile;
        string modelPath = Path.Combine(folder, file);
        var model = ModelFile.Load(modelPath);
        var contract = TrainStepManifest.ReadContract(manifest.Sections.GetValueOrDefault(TrainStepManifest.SectionName), manifestPath);
        contract.Check(model, modelPath);
        string initialPath = Path.Combine(folder, TrainStepManifest.InitialFile);
        var initial = new Lazy<IReadOnlyList<NamedTensor>>(() => File.Exists(initialPath)
            ? CarriedTensorFile.ReadInitial(initialPath, contract)
            : throw new FileNotFoundException($"Graph folder '{folder}' has no {TrainStepManifest.InitialFile}; start from a checkpoint (init_from), or rebuild the folder with build-graph.", initialPath));
        return new TrainGraph(model, manifest, contract, modelPath, Path.GetFullPath(folder), () => initial.Value);
    }

    /// <summary>Writes the model and the manifest (not the initial values) into <paramref name="folder"/>, atomically per file.</summary>
    public void SaveTo(string folder)
    {
        var manifest = new Manifest
        {
            Net = Manifest.Net, Classes = Manifest.Classes, BackboneParameters = Manifest.BackboneParameters, Seed = Manifest.Seed,
            Opset = Manifest.Opset, IrVersion = Manifest.IrVersion, LastRelu = Manifest.LastRelu, EmbeddingSize = Manifest.EmbeddingSize,
            Input = Manifest.Input, Sections = Manifest.Sections.ToDictionary(kv => kv.Key, kv => kv.Value?.DeepClone()),
        };
        GraphFolder.Write(folder, manifest, [("train_step", GraphFolder.TrainStepFile, Model)]);
    }
}
