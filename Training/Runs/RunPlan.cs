using SphereFace.Graphs.Export;
using SphereFace.Graphs.Losses;
using SphereFace.Models.Errors;
using SphereFace.Models.Native;
using SphereFace.Training.Checkpoints;
using SphereFace.Training.Data;

namespace SphereFace.Training.Runs;

/// <summary>
/// A training run decided and checked but not started (docs/training-api.md): the effective spec, and for a resumed
/// run its checkpoint. <see cref="New"/> plans a run from a spec (its own graph, or the graph folder it names);
/// <see cref="Resume"/> plans the continuation of a checkpoint under the resume rules. <see cref="Trainer"/> runs it.
/// </summary>
public sealed class RunPlan
{
    /// <summary>The fields a resumed run may change: how long, how often it writes, where, and the machine's threads.</summary>
    public static readonly string[] ResumeOverridable = ["solver.iterations", "output.log_every", "output.checkpoint_every", "output.folder", "machine.threads", "data.workers"];

    /// <summary>The fields a graph folder fixes (its manifest's), besides the solver's <see cref="Graphs.TrainStep.SolverSpec.ScheduleFields"/>.</summary>
    public static readonly string[] FixedByGraph = ["net", "loss", "classes", "batch", "kernels", "solver"];

    private RunPlan(RunSpec spec, TrainGraph? graph, Checkpoint? checkpoint, string? checkpointPath, int savedRanks, IReadOnlyList<string> notes, FaceDataset? dataset = null)
    {
        Dataset = dataset;
        Spec = spec;
        Graph = graph;
        Checkpoint = checkpoint;
        CheckpointPath = checkpointPath;
        SavedRanks = savedRanks;
        Notes = notes;
    }

    /// <summary>The effective spec: validated, classes resolved, kernels chosen for this machine (what <c>config.json</c> records).</summary>
    public RunSpec Spec { get; }
    /// <summary>The checkpoint a resumed run continues; null for a new run.</summary>
    public Checkpoint? Checkpoint { get; }
    /// <summary>Where <see cref="Checkpoint"/> was read; null for a new run.</summary>
    public string? CheckpointPath { get; }
    /// <summary>The ranks that wrote <see cref="Checkpoint"/> (1 for a new run).</summary>
    public int SavedRanks { get; }
    /// <summary>What planning chose that a user should hear, e.g. why <c>auto</c> fell back to the standard kernels.</summary>
    public IReadOnlyList<string> Notes { get; }
    /// <summary>The graph folder a new run trains (<see cref="RunSpec.Graph"/>), already read.</summary>
    internal TrainGraph? Graph { get; }
    /// <summary>The dataset folder's listing, loaded once to count its identities and kept for the run.</summary>
    internal FaceDataset? Dataset { get; }

    /// <summary>
    /// Plans a new run of <paramref name="spec"/> on <paramref name="ranks"/> processes. A <see cref="RunSpec.Graph"/>
    /// folder fixes net, loss, classes, batch, kernels and the solver's update (its manifest's values replace the spec's);
    /// classes default to the dataset's identities and must match them; on cuda the kernels become the standard ones.
    /// </summary>
    /// <exception cref="RunSpecException">A field out of range or in conflict (the dataset's identities, the device); <see cref="RunSpecException.Field"/> names it.</exception>
    /// <exception cref="InvalidDataException">The graph folder or the dataset is malformed.</exception>
    /// <exception cref="FileNotFoundException">The graph folder or the dataset is missing.</exception>
    /// <exception cref="SphereFaceException">The device is unavailable.</exception>
    public static RunPlan New(RunSpec spec, int ranks = 1)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec = spec with { Machine = spec.Machine with { Ranks = ranks } };
        TrainGraph? graph = null;
        if (spec.Graph is { } folder)
        {
            graph = TrainGraph.FromFolder(folder);
            spec = spec.WithGraph(graph.Folder!, graph.Manifest, graph.Source);
        }
        var dataset = DataSourceSpec.List(spec.Data);
        spec = ForDevice(WithClasses(spec, dataset, graph is not null).Validate(), graph);
        var notes = new List<string>();
        if (spec.Graph is null)
        {
            // The run records what `auto` chose on this machine, so its config.json says which kernels trained it.
            var choice = spec.KernelChoice;
            if (choice.Reason is not null) notes.Add($"kernels {choice}");
            spec = spec with { Kernels = choice.Kernels };
        }
        return new RunPlan(spec, graph, null, null, 1, notes, dataset);
    }

    /// <summary>
    /// Plans the continuation of <paramref name="checkpoint"/> with the spec it saved, changed by <paramref name="change"/>
    /// (e.g. <c>s =&gt; s with { Solver = s.Solver with { Iterations = 40000 } }</c>). Only <see cref="ResumeOverridable"/>
    /// may differ (and the rank count: the global batch, and with it the SGD, stays the same); the run folder is the
    /// checkpoint's unless <see cref="OutputSpec.Folder"/> is changed to an empty or new folder.
    /// </summary>
    /// <exception cref="RunSpecException">A change outside the resume rules, or iterations not above the checkpoint's; <see cref="RunSpecException.Field"/> names the field.</exception>
    /// <exception cref="InvalidDataException">The checkpoint is damaged or its spec unreadable.</exception>
    /// <exception cref="FileNotFoundException">No such checkpoint.</exception>
    /// <exception cref="IOException">The new run folder holds another run.</exception>
    public static RunPlan Resume(string checkpoint, Func<RunSpec, RunSpec>? change = null, int ranks = 1)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var saved = CheckpointFile.Load(checkpoint);
        var savedSpec = RunSpec.FromJson(saved.ConfigJson, checkpoint);
        var requested = change?.Invoke(savedSpec) ?? savedSpec;
        var kept = requested with
        {
            Solver = requested.Solver with { Iterations = savedSpec.Solver.Iterations },
            Output = savedSpec.Output,
            Machine = requested.Machine with { Threads = savedSpec.Machine.Threads, Ranks = savedSpec.Machine.Ranks },
            Data = requested.Data with { Workers = savedSpec.Data.Workers },
        };
        foreach (var (path, was, now) in RunSpecFile.Differences(savedSpec, kept))
            throw new RunSpecException(path, $"{path} = {now} differs from the run resumed from '{checkpoint}', which has {was}; a resumed run keeps its spec except " +
                                             $"{string.Join(", ", ResumeOverridable)} — start a new run (another folder, or init_from to fine-tune) to change it.");
        string own = Path.GetDirectoryName(Path.GetFullPath(checkpoint))!;
        string folder = requested.Output.Folder is { } f && f != savedSpec.Output.Folder ? Path.GetFullPath(f) : own;
        RunFolder.EnsureResumableInto(folder, own);
        var spec = requested with { Output = requested.Output with { Folder = folder }, Machine = requested.Machine with { Ranks = ranks } };
        spec = ForDevice(spec.Validate(), null);
        if (saved.Iteration >= spec.Solver.Iterations)
            throw new RunSpecException("solver.iterations", $"checkpoint '{checkpoint}' is already at iteration {saved.Iteration}; ask for more solver.iterations to continue.");
        return new RunPlan(spec, null, saved, Path.GetFullPath(checkpoint), savedSpec.Machine.Ranks, []);
    }

    /// <summary>The classes resolved from the dataset folder; a given count must match it (random data needs one).</summary>
    private static RunSpec WithClasses(RunSpec spec, FaceDataset? listed, bool fromGraph)
    {
        int? inFolder = listed?.Identities.Count ?? DataSourceSpec.Inspect(spec.Data.Source, spec.Data.Landmarks, spec.Data.IdentityList, spec.Data.SkipUnlisted);
        if (inFolder is { } f && spec.Classes is { } c && f != c)
            throw new RunSpecException("classes", fromGraph ? $"graph folder '{spec.Graph}' has {c} classes but dataset '{spec.Data.Source}' has {f} identities."
                : $"classes is {c} but dataset '{spec.Data.Source}' has {f} identities.");
        return spec with { Classes = inFolder ?? spec.Classes ?? throw new RunSpecException("classes", "classes is required with random:N data.") };
    }

    /// <summary>Checks the spec against its device: oneDNN kernels run on the CPU; on CUDA ψ(θ) comes from its pure-ONNX twin (docs/cuda.md).</summary>
    private static RunSpec ForDevice(RunSpec spec, TrainGraph? graph)
    {
        var device = spec.Machine.ExecutionDevice;
        ExecutionDevices.EnsureAvailable(device);
        if (device != ExecutionDevice.Cuda) return spec;
        if (spec.Kernels.UsesDnnl())
            throw new RunSpecException("kernels", $"kernels {spec.Kernels.Name()} run on the CPU only; train on cuda with kernels standard or auto.");
        spec = spec with { Kernels = Kernels.Standard };
        if (graph is not null && graph.Plugins.Count > 0)
            throw new RunSpecException("graph", $"graph folder '{spec.Graph}' uses custom ops ({string.Join(", ", graph.Plugins.Select(l => l.Domain))}) that have no CUDA kernel; " +
                                                "build it with build-graph --kernels standard --no-plugin to train on cuda.");
        return spec.Graph is null && LossGraph.NeedsPlugin(spec.Loss) ? spec with { Loss = spec.Loss.With("use_plugin", false) } : spec;
    }
}
