using SphereFace.Models.Native;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SphereFace.Graphs.Export;
using SphereFace.Graphs.Losses;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Specs;
using SphereFace.Graphs.TrainStep;
using SphereFace.Models.Errors;

namespace SphereFace.Training.Runs;

/// <summary>
/// Everything a training run is (docs/run-spec.md): the net, the loss head and its parameters, classes, batch, kernels,
/// solver and schedules (lr, λ), data, seed, machine and output. Stored as versioned JSON — the file
/// <c>train --config</c> reads, the run folder's <c>config.json</c> and every checkpoint's configuration.
/// </summary>
public sealed record RunSpec
{
    /// <summary>The schema version this code writes and reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Schema version (<see cref="CurrentVersion"/>).</summary>
    public int Version { get; init; } = CurrentVersion;
    /// <summary>What the run is for, in a line (optional; spec files under configs/ say why their values differ from the defaults).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Description { get; init; }
    /// <summary>The net.</summary>
    public NetSpec Net { get; init; } = new();
    /// <summary>The loss head and its parameters.</summary>
    public LossConfig Loss { get; init; } = DefaultLoss;

    /// <summary>The default loss head: A-Softmax with its default parameters (m = 4).</summary>
    public static LossConfig DefaultLoss => LossConfig.Of("asoftmax");
    /// <summary>Identities of the classifier; null until resolved from the dataset.</summary>
    public int? Classes { get; init; }
    /// <summary>Images per step.</summary>
    public int Batch { get; init; } = 32;
    /// <summary>
    /// How the graph computes its convolutions (docs/kernels.md): <c>auto</c> (default) chooses for the machine the run
    /// starts on; the run folder's <c>config.json</c> records the choice.
    /// </summary>
    [JsonConverter(typeof(KernelsJsonConverter))]
    public Kernels Kernels { get; init; } = Kernels.Auto;
    /// <summary>
    /// The graph folder this run trains (<c>train --graph</c>; absolute), whose manifest fixed net, loss, classes, batch,
    /// kernels and solver; null when the run built its graph from those fields.
    /// </summary>
    public string? Graph { get; init; }
    /// <summary>SGD and the learning-rate schedule.</summary>
    public SolverSpec Solver { get; init; } = new();
    /// <summary>A-Softmax's λ schedule (heads without λ ignore it).</summary>
    public LambdaSchedule Lambda { get; init; } = new();
    /// <summary>The images.</summary>
    public DataSpec Data { get; init; } = new();
    /// <summary>Seed of the initialisation and of the data order.</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>
    /// Fine-tuning: a checkpoint (of the same net) whose parameters start this run wherever name and shape match; the
    /// others keep their initial values, momenta start at zero. Null: initial values only.
    /// </summary>
    public string? InitFrom { get; init; }
    /// <summary>Device and threads.</summary>
    public MachineSpec Machine { get; init; } = new();
    /// <summary>Run folder and intervals.</summary>
    public OutputSpec Output { get; init; } = new();

    /// <summary>The net configuration.</summary>
    [JsonIgnore]
    public SphereNetConfig NetConfig => Net.Config;

    /// <summary>The loss descriptor checkpoints record, e.g. "ASoftmax m=4".</summary>
    [JsonIgnore]
    public string LossName => Loss.ToString();

    /// <summary>The classes once resolved.</summary>
    /// <exception cref="RunSpecException">Still unresolved.</exception>
    [JsonIgnore]
    public int ClassCount => Classes ?? throw new RunSpecException("classes", "classes is not set (it defaults to the dataset's identity count; random data needs it).");

    /// <summary>
    /// What to build when the run has no <see cref="Graph"/> folder (the seed initialises the parameters): the step one
    /// process runs, on <see cref="Batch"/> / <see cref="MachineSpec.Ranks"/> images.
    /// </summary>
    [JsonIgnore]
    public GraphFolderSpec GraphSpec => new(NetConfig, Loss, ClassCount, Batch / Math.Max(1, Machine.Ranks),
        Solver, KernelChoice, Seed);

    /// <summary>The kernels this spec builds its graph with on this machine and device (<see cref="KernelChoice.Resolve"/>).</summary>
    [JsonIgnore]
    public KernelChoice KernelChoice => KernelChoice.Resolve(Kernels, Machine.ExecutionDevice);

    /// <summary>
    /// This spec with the fields a graph folder fixes taken from its manifest (<paramref name="source"/> names it in
    /// errors): net, classes, loss, batch, kernels and solver, and <see cref="Graph"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The manifest lacks one of them.</exception>
    public RunSpec WithGraph(string folder, Manifest manifest, string source)
    {
        var section = manifest.Sections.GetValueOrDefault(TrainStepManifest.SectionName);
        var solver = TrainStepManifest.ReadSolver(section, source);
        return this with
        {
            Graph = folder, Net = new NetSpec(manifest.Net, manifest.LastRelu, manifest.EmbeddingSize), Classes = manifest.Classes,
            // The folder's step is what each process runs: the global batch is its batch times the ranks.
            Loss = TrainStepManifest.ReadLoss(section, source), Batch = TrainStepManifest.ReadContract(section, source).BatchSize * Math.Max(1, Machine.Ranks),
            Kernels = TrainStepManifest.ReadKernels(section, source).Kernels,
            // The folder fixes what its update computes; the schedule is an input of the step and stays this spec's.
            Solver = solver.WithScheduleOf(Solver),
        };
    }

    /// <summary>Largest batch: one batch of images must stay addressable as one float buffer (2³¹ − 1 values).</summary>
    public const int MaxBatch = int.MaxValue / (3 * SphereNetConfig.InputHeight * SphereNetConfig.InputWidth);

    /// <summary>Checks every field's range; returns this spec.</summary>
    /// <exception cref="RunSpecException">The first field out of range; the message names it (e.g. <c>solver.base_lr</c>).</exception>
    public RunSpec Validate()
    {
        if (Version != CurrentVersion) throw new RunSpecException("version", $"version is {Version}; this program reads run specs of version {CurrentVersion}.");
        Net.Validate();
        Wrap("loss", () => Loss.Rule.Validate(Loss));
        if (Classes is { } c && c < 2) throw new RunSpecException("classes", $"classes must be at least 2, got {c}.");
        // The classifier (and the memory bank of IR-Softmax) is one float tensor of classes × width values.
        if (Classes is { } cl && (long)cl * Net.EmbeddingSize > int.MaxValue)
            throw new RunSpecException("classes", $"classes × net.embedding_size = {(long)cl * Net.EmbeddingSize:N0} values exceeds one tensor's limit of {int.MaxValue:N0}.");
        if (Batch < 1 || Batch > MaxBatch) throw new RunSpecException("batch", $"batch must be in 1…{MaxBatch}, got {Batch}.");
        Solver.Validate();
        Lambda.Validate();
        Data.Validate();
        Machine.Validate();
        if (Batch % Machine.Ranks != 0)
            throw new RunSpecException("batch", $"batch {Batch} cannot be split over {Machine.Ranks} ranks: the global batch must be a multiple of the rank count.");
        Output.Validate();
        return this;
    }

    internal static void Wrap(string field, Action check) => Wrap(field, () => { check(); return 0; });

    /// <summary><paramref name="read"/>'s value; an argument error it throws is reported as the spec field <paramref name="field"/>'s.</summary>
    internal static T Wrap<T>(string field, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (ArgumentException e) when (e is not RunSpecException)
        {
            throw new RunSpecException(field, e.Message, e);
        }
    }

    /// <summary>The spec as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, SpecJson.Options);

    /// <summary>The spec as a JSON object (for merging).</summary>
    public JsonObject ToJsonObject() => JsonSerializer.SerializeToNode(this, SpecJson.Options)!.AsObject();

    /// <summary>Parses a spec written by <see cref="ToJson"/>; <paramref name="source"/> names the origin in errors.</summary>
    /// <exception cref="InvalidDataException">Not valid JSON, an unknown field, or a value of the wrong type.</exception>
    public static RunSpec FromJson(string json, string source)
    {
        JsonObject node;
        try
        {
            // A key given twice would silently take one of the values: refused.
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: the run spec is not valid JSON ({e.Message}).", e);
        }
        return FromJson(node, source);
    }

    /// <summary>Parses a spec from a JSON object; <paramref name="source"/> names the origin in errors.</summary>
    /// <exception cref="InvalidDataException">An unknown field or a value of the wrong type.</exception>
    public static RunSpec FromJson(JsonObject json, string source)
    {
        if (json["version"] is not JsonValue v || !v.TryGetValue<int>(out int version))
            throw new InvalidDataException($"{source}: no \"version\" field: not a run spec, or a run configuration written before run specs were versioned, which this program does not read (it reads version {CurrentVersion}; docs/run-spec.md).");
        if (version != CurrentVersion)
            throw new InvalidDataException($"{source}: run spec version {version}; this program reads version {CurrentVersion}.");
        CheckKnownFields(json, typeof(RunSpec), "", source);
        try
        {
            return json.Deserialize<RunSpec>(SpecJson.Options) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: the run spec is not valid ({e.Message}{(e.Path is { } p ? $" at {p}" : "")}).", e);
        }
    }

    private static readonly Type[] Sections = [typeof(NetSpec), typeof(SolverSpec), typeof(LambdaSchedule), typeof(DataSpec), typeof(MachineSpec), typeof(OutputSpec)];

    // A misspelt field would otherwise be ignored silently and its default used.
    private static void CheckKnownFields(JsonObject json, Type type, string prefix, string source)
    {
        var properties = type.GetProperties()
            .Where(p => p.GetCustomAttributes(typeof(JsonIgnoreAttribute), true).Cast<JsonIgnoreAttribute>().All(a => a.Condition != JsonIgnoreCondition.Always))
            .ToDictionary(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name), p => p.PropertyType);
        foreach (var (name, value) in json)
        {
            if (!properties.TryGetValue(name, out var propertyType))
                throw new InvalidDataException($"{source}: unknown field '{prefix}{name}' (known: {string.Join(", ", properties.Keys.Select(k => prefix + k))}).");
            if (value is JsonObject inner && Sections.Contains(propertyType))
                CheckKnownFields(inner, propertyType, $"{prefix}{name}.", source);
        }
    }
}

/// <summary>JSON form of <see cref="Kernels"/>: its CLI name ("standard", "onednn", "onednn-direct").</summary>
internal sealed class KernelsJsonConverter : JsonConverter<Kernels>
{
    public override Kernels Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        try
        {
            return KernelNames.Parse(reader.GetString() ?? "");
        }
        catch (ArgumentException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, Kernels value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name());
}
