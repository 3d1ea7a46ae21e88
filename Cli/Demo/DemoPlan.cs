namespace SphereFace.Cli.Demo;

/// <summary>
/// Sizes of the main job. The defaults keep the whole job (synthetic set, two SF-4 trainings, export,
/// evaluation, report) under ~10 minutes on a 2-core machine.
/// </summary>
internal sealed record DemoPlan(
    int Identities = 200,
    int MaxImages = 24,
    int Iterations = 500,
    int Batch = 32,
    float? Lr = null,
    ulong Seed = 1,
    int Threads = 0,
    Models.Native.Kernels Kernels = Models.Native.Kernels.Auto)
{
    /// <summary>
    /// The two trainings compared, A-Softmax m = 4 with λ annealing and the softmax baseline: the run specs
    /// <c>configs/demo/NAME.json</c> (net, loss, lr), sized by this plan. <see cref="Lr"/> null keeps their lr.
    /// </summary>
    public static readonly string[] Runs = ["asoftmax-m4", "softmax"];

    /// <summary>The run spec of demo run <paramref name="name"/>, beside the program.</summary>
    public static string SpecFile(string name) => Path.Combine(AppContext.BaseDirectory, "configs", "demo", name + ".json");

    /// <summary>
    /// Matched (and as many mismatched) pairs per fold: each of the 10 folds holds 2 % of the identities (20 %
    /// held out), and one identity of 10 test photos gives 45 distinct matched pairs; at most LFW's 300.
    /// </summary>
    public int PairsPerFold => Math.Min(300, Math.Max(1, Identities / 50) * 45);

    /// <summary>lr drops ×0.1 at 60 % and 85 % of the run, as the paper's schedule does at 16K/24K of 28K.</summary>
    public int[] LrSteps => [Iterations * 6 / 10, Iterations * 85 / 100];

    /// <summary>
    /// The run spec of demo run <paramref name="name"/>: its file (<see cref="SpecFile"/>: net, loss, lr) sized by this
    /// plan, training on the synthetic set in <paramref name="data"/> into run folder <paramref name="run"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The spec file is malformed.</exception>
    public Training.Runs.RunSpec SpecOf(string name, string data, string run)
    {
        var s = Training.Runs.RunSpecFile.Load(SpecFile(name));
        return s with
        {
            Data = s.Data with
            {
                Source = Path.GetFullPath(Path.Combine(data, "images")), Landmarks = Path.GetFullPath(Path.Combine(data, "landmarks.txt")),
                IdentityList = Path.GetFullPath(Path.Combine(data, "train_identities.txt")),
            },
            Batch = Batch,
            Solver = s.Solver with { Iterations = Iterations, BaseLr = Lr ?? s.Solver.BaseLr, LrSteps = LrSteps },
            Seed = Seed,
            Kernels = Kernels,
            Machine = s.Machine with { Threads = Threads },
            Output = s.Output with { Folder = Path.GetFullPath(run), LogEvery = 20, CheckpointEvery = Iterations },
        };
    }
}
