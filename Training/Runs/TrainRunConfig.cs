using System.Text.Json;
using System.Text.Json.Serialization;
using SphereFace.Graphs.Export;
using SphereFace.Graphs.Losses;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.TrainStep;

namespace SphereFace.Training.Runs;

/// <summary>
/// Everything that defines a training run's results (stored as JSON in <c>config.json</c> and in every
/// checkpoint). Machine settings (threads, device) are not part of it.
/// </summary>
public sealed record TrainRunConfig
{
    /// <summary>Net name ("sphere4" … "sphere64").</summary>
    public string Net { get; init; } = "sphere20";
    /// <summary>ReLU after the embedding (ablation).</summary>
    public bool LastRelu { get; init; }
    /// <summary>Embedding width.</summary>
    public int EmbeddingSize { get; init; } = 512;
    /// <summary>Loss head.</summary>
    public LossConfig Loss { get; init; } = new();
    /// <summary>Identities of the classifier.</summary>
    public int Classes { get; init; }
    /// <summary>Images per step.</summary>
    public int BatchSize { get; init; } = 32;
    /// <summary>Total iterations (steps).</summary>
    public int Iterations { get; init; } = 28000;
    /// <summary>Base learning rate.</summary>
    public float BaseLr { get; init; } = 0.1f;
    /// <summary>Iterations at which the lr is multiplied by <see cref="LrGamma"/>.</summary>
    public int[] LrSteps { get; init; } = [16000, 24000];
    /// <summary>Factor applied at each lr step.</summary>
    public float LrGamma { get; init; } = 0.1f;
    /// <summary>A-Softmax λ schedule: λ = max(λ_min, base·(1+γ·iter)^(−power)).</summary>
    public float LambdaBase { get; init; } = 1000f;
    /// <summary>γ of the λ schedule.</summary>
    public float LambdaGamma { get; init; } = 0.12f;
    /// <summary>Power of the λ schedule.</summary>
    public float LambdaPower { get; init; } = 1f;
    /// <summary>Lower bound of λ.</summary>
    public float LambdaMin { get; init; } = 5f;
    /// <summary>SGD momentum.</summary>
    public float Momentum { get; init; } = 0.9f;
    /// <summary>Weight decay.</summary>
    public float WeightDecay { get; init; } = 5e-4f;
    /// <summary>Learning-rate multiplier of biases.</summary>
    public float BiasLrMult { get; init; } = 2f;
    /// <summary>Weight-decay multiplier of biases.</summary>
    public float BiasDecayMult { get; init; }
    /// <summary>Seed of the initialisation and of the data order.</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>Data source specification (see docs/training.md), e.g. "random:64".</summary>
    public string Data { get; init; } = "random:64";
    /// <summary>Landmark list of a dataset folder (null: images already aligned).</summary>
    public string? Landmarks { get; init; }
    /// <summary>File listing the identities to train on, one per line (null: every identity folder), e.g. a train split.</summary>
    public string? IdentityList { get; init; }
    /// <summary>Decode/align threads of a dataset folder source.</summary>
    public int DataWorkers { get; init; } = 2;
    /// <summary>Probability of a horizontal flip per image (dataset folders only).</summary>
    public double FlipProbability { get; init; } = 0.5;
    /// <summary>Iterations between metrics rows.</summary>
    public int LogEvery { get; init; } = 20;
    /// <summary>Iterations between checkpoints.</summary>
    public int CheckpointEvery { get; init; } = 1000;
    /// <summary>
    /// Fine-tuning: a checkpoint (of the same net) whose parameters start this run wherever name and shape match, e.g.
    /// the backbone of a softmax run; the others keep their seeded initial values, momenta start at zero. Null: seeded
    /// initialisation only.
    /// </summary>
    public string? InitFrom { get; init; }
    /// <summary>
    /// How the graph computes its convolutions (docs/kernels.md): the oneDNN plugin's kernels (CPU) or standard ONNX ops
    /// (any execution provider). A configuration written before this field existed was trained with standard kernels.
    /// </summary>
    [JsonConverter(typeof(KernelsJsonConverter))]
    public Kernels Kernels { get; init; } = Kernels.OneDnn;
    /// <summary>
    /// The graph folder this run trains (<c>train --graph</c>; absolute), whose manifest fixed the net, loss, classes,
    /// batch, kernels and solver fields above; null when the run built its graph from those fields.
    /// </summary>
    public string? Graph { get; init; }

    /// <summary>What to build when the run has no <see cref="Graph"/> folder (the seed initialises the parameters).</summary>
    [JsonIgnore]
    public GraphFolderSpec GraphSpec => new(NetConfig, Loss, Classes, BatchSize, new SolverConfig(Momentum, WeightDecay, BiasLrMult, BiasDecayMult), Kernels, Seed);

    /// <summary>
    /// This configuration with the fields a graph folder fixes taken from its manifest (<paramref name="source"/> names
    /// it in errors): net, last ReLU, embedding size, classes, loss, batch, kernels and solver, and <see cref="Graph"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The manifest lacks one of them.</exception>
    public TrainRunConfig WithGraph(string folder, Manifest manifest, string source)
    {
        var section = manifest.Sections.GetValueOrDefault(TrainStepManifest.SectionName);
        var solver = TrainStepManifest.ReadSolver(section, source);
        return this with
        {
            Graph = folder, Net = manifest.Net, LastRelu = manifest.LastRelu, EmbeddingSize = manifest.EmbeddingSize, Classes = manifest.Classes,
            Loss = TrainStepManifest.ReadLoss(section, source), BatchSize = TrainStepManifest.ReadContract(section, source).BatchSize,
            Kernels = TrainStepManifest.ReadKernels(section, source),
            Momentum = solver.Momentum, WeightDecay = solver.WeightDecay, BiasLrMult = solver.BiasLrMult, BiasDecayMult = solver.BiasDecayMult,
        };
    }

    /// <summary>The net configuration.</summary>
    [JsonIgnore]
    public SphereNetConfig NetConfig => SphereNetConfig.Parse(Net, LastRelu, EmbeddingSize);

    /// <summary>Loss descriptor stored in checkpoints, e.g. "ASoftmax m=4" (the settings that change the math).</summary>
    [JsonIgnore]
    public string LossName => DescribeLoss(Loss);

    /// <summary>A loss descriptor: kind and the margins that apply to it.</summary>
    public static string DescribeLoss(LossConfig loss) => loss.Kind switch
    {
        LossKind.ASoftmax or LossKind.IRSoftmaxA => FormattableString.Invariant($"{loss.Kind} m={loss.M}"),
        LossKind.AMSoftmax or LossKind.IRSoftmaxAM => FormattableString.Invariant($"{loss.Kind} m={loss.AmMargin:R} s={loss.AmScale:R}"),
        LossKind.Softmax when !loss.ClassifierBias => "Softmax nobias",
        _ => loss.Kind.ToString(),
    };

    /// <summary>Checks ranges; throws an <see cref="ArgumentException"/> naming the option.</summary>
    public TrainRunConfig Validate()
    {
        _ = NetConfig;
        if (Classes < 2) throw new ArgumentException($"--classes must be at least 2, got {Classes}.");
        if (BatchSize < 1) throw new ArgumentException($"--batch must be at least 1, got {BatchSize}.");
        if (Iterations < 1) throw new ArgumentException($"--iterations must be at least 1, got {Iterations}.");
        if (!(BaseLr > 0) || float.IsInfinity(BaseLr)) throw new ArgumentException($"--lr must be a positive number, got {BaseLr}.");
        if (LrSteps.Any(s => s < 1) || LrSteps.Zip(LrSteps.Skip(1)).Any(p => p.Second <= p.First)) throw new ArgumentException($"--lr-steps must be strictly increasing positive iterations, got {string.Join(",", LrSteps)}.");
        if (Loss.M < 1) throw new ArgumentException($"--m must be an integer ≥ 1, got {Loss.M}.");
        if (LogEvery < 1 || CheckpointEvery < 1) throw new ArgumentException("--log-every and --checkpoint-every must be at least 1.");
        return this;
    }

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The configuration as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>Parses JSON written by <see cref="ToJson"/>; <paramref name="source"/> names the origin in errors.</summary>
    public static TrainRunConfig FromJson(string json, string source)
    {
        try
        {
            var config = JsonSerializer.Deserialize<TrainRunConfig>(json, Options) ?? throw new JsonException("empty");
            // Runs configured before the kernel choice existed used the standard ops.
            return System.Text.Json.Nodes.JsonNode.Parse(json) is System.Text.Json.Nodes.JsonObject o && !o.ContainsKey("kernels")
                ? config with { Kernels = Kernels.Standard }
                : config;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: the run configuration is not valid ({e.Message}).", e);
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
