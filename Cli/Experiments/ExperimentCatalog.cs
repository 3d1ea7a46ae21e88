namespace SphereFace.Cli.Experiments;

/// <summary>
/// The experiments shipped in <c>configs/experiments</c> (copied beside the program): the SphereFace paper's Table 3,
/// App. E Table 6 and Fig. 5, and the IR-Softmax paper's Tables 1–2, at synthetic scale. A path to another experiment
/// file works the same way.
/// </summary>
internal static class ExperimentCatalog
{
    /// <summary>The folder of the shipped experiment files.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "configs", "experiments");

    /// <summary>Names of the shipped experiments.</summary>
    public static IReadOnlyList<string> Names =>
        Directory.Exists(Folder) ? Directory.GetFiles(Folder, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal).ToArray() : [];

    /// <summary>The file of experiment <paramref name="nameOrFile"/>: a shipped name, or a path to an experiment file.</summary>
    /// <exception cref="ArgumentException">Neither.</exception>
    public static string FileOf(string nameOrFile)
    {
        string shipped = Path.Combine(Folder, nameOrFile.Trim().ToLowerInvariant() + ".json");
        if (File.Exists(shipped)) return shipped;
        if (nameOrFile.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && File.Exists(nameOrFile)) return Path.GetFullPath(nameOrFile);
        throw new Models.Errors.InputException($"Unknown experiment '{nameOrFile}'; expected one of {string.Join(", ", Names)} or an experiment .json file.");
    }

    /// <summary>Reads experiment <paramref name="nameOrFile"/> with synthetic sets of <paramref name="identities"/> identities.</summary>
    public static ExperimentSpec Get(string nameOrFile, int identities) => ExperimentFile.Load(FileOf(nameOrFile), identities);
}
