using SphereFace.Models.Native;
using System.CommandLine;
using System.Globalization;
using SphereFace.Graphs.Nets;
using SphereFace.Training.Runs;

namespace SphereFace.Cli.Options;

/// <summary>
/// The options of <c>train</c>. Every option that sets a run-spec field is a <see cref="SpecField"/> (docs/run-spec.md
/// lists the field of each); the defaults shown are the spec's, and an option given on the command line overrides the
/// <c>--config</c> file, which overrides the defaults.
/// </summary>
internal sealed class TrainOptions
{
    private static readonly RunSpec Defaults = new();

    public Option<string?> Config { get; } = new("--config") { Description = "run spec file (JSON, docs/run-spec.md); relative paths in it are relative to the file; flags override its fields" };
    public Option<string> Net { get; } = new("--net") { Description = $"sphere4, sphere10, sphere20, sphere36 or sphere64 (net.name; default {Defaults.Net.Name})" };
    public Option<bool> LastRelu { get; } = new("--last-relu") { Description = "keep a ReLU after the embedding, the App. E ablation (net.last_relu)" };
    public Option<int> EmbeddingSize { get; } = new("--embedding-size") { Description = $"embedding width (net.embedding_size; default {Defaults.Net.EmbeddingSize})" };
    public LossOptions Loss { get; } = new();
    public Option<int?> Classes { get; } = new("--classes") { Description = "identities of the classifier (classes; default: the dataset's; required with random:N)" };
    public Option<int> Batch { get; } = new("--batch") { Description = $"images per step (batch; default {Defaults.Batch})" };
    public Option<string> Kernels { get; } = new("--kernels") { Description = $"conv kernels of the training graph: {string.Join(", ", KernelNames.All)} (kernels; default auto: the oneDNN kernels in this CPU's layout where they run fast, else standard; standard on cuda)" };
    public Option<int> Iterations { get; } = new("--iterations") { Description = $"total iterations; with --resume the new total (solver.iterations; default {Defaults.Solver.Iterations})" };
    public Option<float> Lr { get; } = new("--lr") { Description = $"base learning rate (solver.base_lr; default {S(Defaults.Solver.BaseLr)})" };
    public Option<string> LrSteps { get; } = new("--lr-steps") { Description = $"iterations where the lr is multiplied by --lr-gamma, comma-separated (solver.lr_steps; default {string.Join(",", Defaults.Solver.LrSteps)})" };
    public Option<float> LrGamma { get; } = new("--lr-gamma") { Description = $"lr factor at each step (solver.lr_gamma; default {S(Defaults.Solver.LrGamma)})" };
    public Option<float> Momentum { get; } = new("--momentum") { Description = $"SGD momentum (solver.momentum; default {S(Defaults.Solver.Momentum)})" };
    public Option<float> WeightDecay { get; } = new("--weight-decay") { Description = $"weight decay (solver.weight_decay; default {S(Defaults.Solver.WeightDecay)})" };
    public Option<float> LambdaBase { get; } = new("--lambda-base") { Description = $"A-Softmax λ schedule: base (lambda.base; default {S(Defaults.Lambda.Base)})" };
    public Option<float> LambdaGamma { get; } = new("--lambda-gamma") { Description = $"A-Softmax λ schedule: γ (lambda.gamma; default {S(Defaults.Lambda.Gamma)})" };
    public Option<float> LambdaPower { get; } = new("--lambda-power") { Description = $"A-Softmax λ schedule: power (lambda.power; default {S(Defaults.Lambda.Power)})" };
    public Option<float> LambdaMin { get; } = new("--lambda-min") { Description = $"A-Softmax λ schedule: lower bound (lambda.min; default {S(Defaults.Lambda.Min)})" };
    public Option<string> Data { get; } = new("--data") { Description = $"dataset folder root/<identity>/<image>, or random:N, N in-memory random-label images (data.source; default {Defaults.Data.Source})" };
    public Option<string> Landmarks { get; } = new("--landmarks") { Description = "landmark list of the dataset folder; omit when the images are already aligned (data.landmarks)" };
    public Option<string> IdentityList { get; } = new("--identity-list") { Description = "file naming the identities to train on, one per line, e.g. a synthetic set's train_identities.txt (data.identity_list)" };
    public Option<int> Workers { get; } = new("--workers") { Description = $"image decode/align threads (data.workers; default {Defaults.Data.Workers})" };
    public Option<double> FlipProbability { get; } = new("--flip-probability") { Description = $"probability of a horizontal flip per training image (data.flip_probability; default {S(Defaults.Data.FlipProbability)})" };
    public Option<ulong> Seed { get; } = new("--seed") { Description = $"seed of the initialisation and the data order (seed; default {Defaults.Seed})" };
    public Option<string> InitFrom { get; } = new("--init-from") { Description = "fine-tune: start from this checkpoint's parameters wherever name and shape match (same net); the rest is seeded, momenta start at zero (init_from)" };
    public Option<string> Graph { get; } = new("--graph") { Description = "train this graph folder (build-graph's output) instead of building one; its manifest fixes net, loss, classes, batch, kernels and solver (graph)" };
    public Option<string> Device { get; } = new("--device") { Description = "cpu or cuda; cuda needs a build with -p:UseCuda=true (machine.device; default cpu)" };
    public Option<int> Threads { get; } = new("--threads") { Description = "intra-op threads, 0 = one per core (machine.threads; default 0)" };
    public Option<string> Out { get; } = new("--out") { Description = "run folder (output.folder); with --resume default the checkpoint's folder" };
    public Option<int> LogEvery { get; } = new("--log-every") { Description = $"iterations per log line and metrics row (output.log_every; default {Defaults.Output.LogEvery})" };
    public Option<int> CheckpointEvery { get; } = new("--checkpoint-every") { Description = $"iterations per checkpoint (output.checkpoint_every; default {Defaults.Output.CheckpointEvery})" };
    public Option<string?> Resume { get; } = new("--resume") { Description = "continue exactly from this checkpoint with the spec it saved; only --iterations, --log-every, --checkpoint-every, --threads, --workers and --out may change (other flags must agree with it)" };
    public Option<string?> RecordBatches { get; } = new("--record-batches") { Description = "write every batch fed to the step (with its lr and λ) to this file, for replaying the run in another client (docs/train-step.md)" };
    public Option<bool> PrintSpec { get; } = new("--print-spec") { Description = "print the effective run spec as JSON and exit without training" };

    /// <summary>Every option bound to a spec field, with the field's path (paths of files resolve against the working directory).</summary>
    public IReadOnlyList<SpecField> Fields => [
        SpecField.Of(Net, "net.name", (s, v) => s with { Net = s.Net with { Name = v } }),
        SpecField.Of(LastRelu, "net.last_relu", (s, v) => s with { Net = s.Net with { LastRelu = v } }),
        SpecField.Of(EmbeddingSize, "net.embedding_size", (s, v) => s with { Net = s.Net with { EmbeddingSize = v } }),
        SpecField.Of(Classes, "classes", (s, v) => s with { Classes = v }),
        SpecField.Of(Batch, "batch", (s, v) => s with { Batch = v }),
        SpecField.Of(Kernels, "kernels", (s, v) => s with { Kernels = KernelNames.Parse(v) }),
        SpecField.Of(Iterations, "solver.iterations", (s, v) => s with { Solver = s.Solver with { Iterations = v } }),
        SpecField.Of(Lr, "solver.base_lr", (s, v) => s with { Solver = s.Solver with { BaseLr = v } }),
        SpecField.Of(LrSteps, "solver.lr_steps", (s, v) => s with { Solver = s.Solver with { LrSteps = ParseSteps(v) } }),
        SpecField.Of(LrGamma, "solver.lr_gamma", (s, v) => s with { Solver = s.Solver with { LrGamma = v } }),
        SpecField.Of(Momentum, "solver.momentum", (s, v) => s with { Solver = s.Solver with { Momentum = v } }),
        SpecField.Of(WeightDecay, "solver.weight_decay", (s, v) => s with { Solver = s.Solver with { WeightDecay = v } }),
        SpecField.Of(LambdaBase, "lambda.base", (s, v) => s with { Lambda = s.Lambda with { Base = v } }),
        SpecField.Of(LambdaGamma, "lambda.gamma", (s, v) => s with { Lambda = s.Lambda with { Gamma = v } }),
        SpecField.Of(LambdaPower, "lambda.power", (s, v) => s with { Lambda = s.Lambda with { Power = v } }),
        SpecField.Of(LambdaMin, "lambda.min", (s, v) => s with { Lambda = s.Lambda with { Min = v } }),
        SpecField.Of(Data, "data.source", (s, v) => s with { Data = s.Data with { Source = DataSourceSpec.IsRandom(v) ? v : Path.GetFullPath(v) } }),
        SpecField.OfPath(Landmarks, "data.landmarks", (s, v) => s with { Data = s.Data with { Landmarks = v } }),
        SpecField.OfPath(IdentityList, "data.identity_list", (s, v) => s with { Data = s.Data with { IdentityList = v } }),
        SpecField.Of(Workers, "data.workers", (s, v) => s with { Data = s.Data with { Workers = v } }),
        SpecField.Of(FlipProbability, "data.flip_probability", (s, v) => s with { Data = s.Data with { FlipProbability = v } }),
        SpecField.Of(Seed, "seed", (s, v) => s with { Seed = v }),
        SpecField.OfPath(InitFrom, "init_from", (s, v) => s with { InitFrom = v }),
        SpecField.OfPath(Graph, "graph", (s, v) => s with { Graph = v }),
        SpecField.Of(Device, "machine.device", (s, v) => s with { Machine = s.Machine with { Device = v.Trim().ToLowerInvariant() } }),
        SpecField.Of(Threads, "machine.threads", (s, v) => s with { Machine = s.Machine with { Threads = v } }),
        SpecField.OfPath(Out, "output.folder", (s, v) => s with { Output = s.Output with { Folder = v } }),
        SpecField.Of(LogEvery, "output.log_every", (s, v) => s with { Output = s.Output with { LogEvery = v } }),
        SpecField.Of(CheckpointEvery, "output.checkpoint_every", (s, v) => s with { Output = s.Output with { CheckpointEvery = v } }),
    ];

    /// <summary>Every option, for adding to the command.</summary>
    public IEnumerable<Option> All => [Config, .. Fields.Select(f => f.Option).Take(3), .. Loss.All, .. Fields.Select(f => f.Option).Skip(3), Resume, RecordBatches, PrintSpec];

    private static int[] ParseSteps(string text) => string.IsNullOrWhiteSpace(text) ? []
        : text.Split(',', StringSplitOptions.TrimEntries).Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v
            : throw new Models.Errors.InputException($"--lr-steps '{text}': '{s}' is not an iteration number.")).ToArray();

    private static string S(IFormattable v) => v.ToString(null, CultureInfo.InvariantCulture);
}
