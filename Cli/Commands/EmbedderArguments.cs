using SphereFace.Models.Native;
using System.CommandLine;
using SphereFace.Inference;

namespace SphereFace.Cli.Commands;

/// <summary>Options shared by the verbs that run an <see cref="Embedder"/>.</summary>
internal sealed class EmbedderArguments
{
    public Option<string> Model { get; } = new("--model") { Description = "embedding.onnx", Required = true };
    public Option<string?> Data { get; } = new("--data") { Description = "image folder (DIR/<identity>/<image>) or a text list of image paths" };

    /// <summary>The --data value; <paramref name="why"/> says what needs it when it is missing.</summary>
    public string RequireData(ParseResult p, string why) => p.GetValue(Data) ?? throw new Models.Errors.InputException($"--data is required ({why}).");
    public Option<string?> Landmarks { get; } = new("--landmarks") { Description = "landmark list (path x1 y1 … x5 y5); without it aligned 112×96 faces are taken as they are and the faces of any other photos are detected (cached)" };
    public Option<bool> FlipConcat { get; } = new("--flip-concat") { Description = "concatenate the features of each face and its mirror (1024-d, the paper's test representation)" };
    public Option<int> Batch { get; } = new("--batch") { Description = "faces per network run", DefaultValueFactory = _ => 32 };
    public Option<int> Threads { get; } = new("--threads") { Description = "ONNX Runtime intra-op threads (0: one per core)", DefaultValueFactory = _ => 0 };
    public Option<string> Device { get; } = new("--device") { Description = "cpu or cuda (cuda needs a build with -p:UseCuda=true)", DefaultValueFactory = _ => "cpu" };

    public Option<string> Kernels { get; } = Options.KernelsOption.Create();

    public Option<bool> Strict { get; } = new("--strict") { Description = "an unusable image (missing, corrupt, bad landmarks, wrong size) is an error instead of a skipped, counted warning" };

    public IEnumerable<Option> All => [Model, Data, Landmarks, FlipConcat, Batch, Threads, Device, Kernels, Strict];

    public Embedder Open(ParseResult p)
    {
        int batch = p.GetValue(Batch);
        if (batch < 1) throw new Models.Errors.InputException($"--batch must be ≥ 1, got {batch}.");
        return new Embedder(p.GetValue(Model)!, new EmbedderOptions
        {
            FlipConcatenation = p.GetValue(FlipConcat),
            MaxBatch = batch,
            IntraOpThreads = Models.Native.ThreadCount.Check(p.GetValue(Threads), "--threads"),
            Device = ExecutionDevices.Parse(p.GetValue(Device)!),
            Kernels = Options.KernelsOption.Parse(p, Kernels),
            Log = line => Console.Error.WriteLine($"sphereface: {line}"),
        });
    }
}
