namespace SphereFace.Cli.Experiments;

/// <summary>A synthetic face set an experiment trains and evaluates on (arguments of <c>synth</c>).</summary>
internal sealed record DataSpec(string Name, string Description, string[] SynthArgs);

/// <summary>
/// One training of an experiment: its data set and the <c>train</c> arguments that set it apart.
/// <paramref name="InitFrom"/>: an earlier run of the same experiment whose final checkpoint this run is fine-tuned
/// from (<c>train --init-from</c>); null trains from the seeded initialisation.
/// </summary>
internal sealed record RunSpec(string Name, string Data, string Description, string[] TrainArgs, string? InitFrom = null);

/// <summary>
/// An experiment of the papers at synthetic scale: data sets, trainings, the evaluation protocols run on the
/// held-out identities, and the ordering the paper reports (written into the report beside the observed one).
/// <paramref name="FixedData"/>: the data sets ignore the <c>--identities</c> size knob. <paramref name="LambdaFloorAt"/>:
/// fraction of the run at which the A-Softmax λ schedule reaches its floor 5 (<paramref name="LambdaFloorWhy"/> says
/// why, in the report). <paramref name="PaperPairs"/>: claims of the form "run Better beats run Worse" where the paper
/// makes pairwise claims rather than ranking every run (each is checked on every reported figure).
/// </summary>
internal sealed record ExperimentSpec(
    string Name,
    string Title,
    string PaperClaim,
    IReadOnlyList<DataSpec> Data,
    IReadOnlyList<RunSpec> Runs,
    IReadOnlyList<string> Protocols,
    IReadOnlyList<string> PaperOrder,
    int EmbeddingSize = 512,
    bool FixedData = false,
    double LambdaFloorAt = ExperimentSpec.DefaultLambdaFloorAt,
    string LambdaFloorWhy = ExperimentSpec.DefaultLambdaFloorWhy,
    IReadOnlyList<(string Better, string Worse)>? PaperPairs = null)
{
    /// <summary>
    /// λ reaches 5 half-way through the run. In the paper λ reaches 5 at 6 % of 28K iterations, after about one
    /// epoch of CASIA-WebFace; in a run of a few hundred iterations 6 % is a few dozen steps, and A-Softmax with
    /// m = 4 then did not learn at all: on the margins experiment's data, 300 iterations, training accuracy 0 % and
    /// LFW-style accuracy 80.97 %; with the floor at 50 %, 60 % and 94.81 % (README, Experiments).
    /// </summary>
    public const double DefaultLambdaFloorAt = 0.5;

    /// <summary>Why <see cref="DefaultLambdaFloorAt"/>, in one phrase for the report.</summary>
    public const string DefaultLambdaFloorWhy = "half-way, so the net first learns under a near-softmax target; at the paper's 6 % a short run with m = 4 does not learn";
}
