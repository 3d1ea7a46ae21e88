namespace SphereFace.Cli.Experiments;

/// <summary>A synthetic face set an experiment trains and evaluates on (arguments of <c>synth</c>).</summary>
internal sealed record DataSpec(string Name, string Description, string[] SynthArgs);

/// <summary>One training of an experiment: its data set and the <c>train</c> arguments that set it apart.</summary>
internal sealed record RunSpec(string Name, string Data, string Description, string[] TrainArgs);

/// <summary>
/// An experiment of the papers at synthetic scale: data sets, trainings, the evaluation protocols run on the
/// held-out identities, and the ordering the paper reports (written into the report beside the observed one).
/// <paramref name="FixedData"/>: the data sets ignore the <c>--identities</c> size knob.
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
    bool FixedData = false);
