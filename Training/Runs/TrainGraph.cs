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

    /// <summary>The kernels the step was built with (from its manifest section).</summary>
    public KernelChoice Kernels => TrainStepManifest.ReadKernels(Manifest.Sections.GetValueOrDefault(TrainStepManifest.SectionName), Source);

    /// <summary>
    /// This graph when this machine runs its kernels fast; otherwise the same step re-derived from <paramref name="spec"/>
    /// with the kernels this machine runs (<see cref="KernelChoice.Resolve"/>), starting from this graph's initial values.
    /// A oneDNN step is built for one channel block (16 on AVX-512, 8 on AVX2): a graph folder or run folder built on
    /// an AVX-512 machine would run oneDNN's reference code on an AVX2 one, which the kernels refuse. The parameters,
    /// their names and shapes do not depend on the kernels, so checkpoints and initial values carry over unchanged.
    /// <paramref name="say"/> gets one line naming the layout, the instruction set and the replacement.
    /// </summary>
    /// <exception cref="InvalidDataException">The re-derived step's contract differs from this one's (a graph edited by hand).</exception>
    public TrainGraph ForThisMachine(RunSpec spec, Action<string> say)
    {
        var kernels = Kernels;
        if (KernelChoice.CanRun(kernels.Kernels, kernels.Block, out string? problem)) return this;
        var choice = KernelChoice.Resolve(Models.Native.Kernels.Auto, spec.Machine.ExecutionDevice);
        var rebuilt = GraphFolder.Build(spec.GraphSpec with { Kernels = choice });
        var contract = rebuilt.TrainStep.Contract;
        if (!contract.Carried.Select(c => (c.Input, string.Join(",", c.Shape))).SequenceEqual(Contract.Carried.Select(c => (c.Input, string.Join(",", c.Shape)))))
            throw new InvalidDataException($"{Source} was built for {kernels.Layout} ({problem}), and a step re-derived for this CPU does not carry the same tensors; rebuild the folder here with build-graph.");
        say($"{Source} is laid out for {kernels.Layout}, which this CPU cannot run fast ({problem}); training the same step re-derived with kernels {choice}");
        return new TrainGraph(rebuilt.TrainStep.Model, rebuilt.Manifest, contract, $"{Source} (re-derived for {choice.Layout})", null, _initial);
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
