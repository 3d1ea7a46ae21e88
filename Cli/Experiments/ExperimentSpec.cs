using System.Text.Json.Nodes;

namespace SphereFace.Cli.Experiments;

/// <summary>A synthetic face set an experiment trains and evaluates on (the arguments of <c>synth</c>).</summary>
internal sealed record ExperimentData(string Name, string Description, string[] SynthArgs);

/// <summary>
/// One training of an experiment: its data set and the run-spec fields that set it apart (<paramref name="Spec"/>, a
/// partial run spec laid over the experiment's base). <paramref name="InitFrom"/>: an earlier run of the same
/// experiment whose final checkpoint this run is fine-tuned from; null trains from the seeded initialisation.
/// </summary>
internal sealed record ExperimentRun(string Name, string Data, string Description, JsonObject Spec, string? InitFrom = null);

/// <summary>
/// An experiment of the papers at synthetic scale (a file under <c>configs/experiments</c>, read by
/// <see cref="ExperimentFile"/>): data sets, the base run spec and the trainings, the evaluation protocols run on the
/// held-out identities, and the ordering the paper reports (written into the report beside the observed one).
/// <paramref name="FixedData"/>: the data sets ignore the <c>--identities</c> size knob. <paramref name="LambdaFloorAt"/>:
/// fraction of the run at which the A-Softmax λ schedule reaches its floor 5 (<paramref name="LambdaFloorWhy"/> says
/// why, in the report). <paramref name="PaperPairs"/>: claims of the form "run Better beats run Worse" where the paper
/// makes pairwise claims rather than ranking every run (each is checked on every reported figure). <paramref name="File"/>:
/// the file it was read from (copied into the experiment's folder).
/// </summary>
internal sealed record ExperimentSpec(
    string Name,
    string Title,
    string PaperClaim,
    IReadOnlyList<ExperimentData> Data,
    JsonObject Base,
    IReadOnlyList<ExperimentRun> Runs,
    IReadOnlyList<string> Protocols,
    IReadOnlyList<string> PaperOrder,
    bool FixedData = false,
    double LambdaFloorAt = ExperimentFile.DefaultLambdaFloorAt,
    string LambdaFloorWhy = ExperimentFile.DefaultLambdaFloorWhy,
    IReadOnlyList<(string Better, string Worse)>? PaperPairs = null,
    string? File = null)
{
    /// <summary>The embedding width the base spec sets (512 when it sets none).</summary>
    public int EmbeddingSize => Base["net"]?["embedding_size"]?.GetValue<int>() ?? 512;

    /// <summary>The net the base spec sets (sphere20, the run-spec default, when it sets none).</summary>
    public string Net => Base["net"]?["name"]?.GetValue<string>() ?? "sphere20";

    /// <summary>
    /// The run spec of <paramref name="run"/> before sizes and paths: the defaults, the base laid over them, the run's
    /// fields over that (objects merged field by field; a loss replaced whole, since its parameters belong to its head).
    /// </summary>
    /// <exception cref="InvalidDataException">A field the run spec does not have, or a value of the wrong type.</exception>
    public Training.Runs.RunSpec SpecOf(ExperimentRun run) =>
        Training.Runs.RunSpec.FromJson(Merge(Merge(new Training.Runs.RunSpec().ToJsonObject(), Base), run.Spec), $"{File ?? Name}: run {run.Name}");

    private static JsonObject Merge(JsonObject basis, JsonObject overlay)
    {
        var result = basis.DeepClone().AsObject();
        foreach (var (key, value) in overlay)
            result[key] = value is JsonObject o && result[key] is JsonObject b && key != "loss" ? Merge(b, o) : value?.DeepClone();
        return result;
    }
}
