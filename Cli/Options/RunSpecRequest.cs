using System.CommandLine;
using System.Text.Json.Nodes;
using SphereFace.Graphs.TrainStep;
using SphereFace.Models.Errors;
using SphereFace.Training.Runs;

namespace SphereFace.Cli.Options;

/// <summary>
/// What <c>train</c>'s (and <c>build-graph</c>'s) command line asks for: the <c>--config</c> file's spec (or the
/// defaults) with every given flag applied, typed, in <see cref="NewRun"/>; the saved spec with the flags applied in
/// <see cref="Resume"/>. It also knows who set each field, so the library's errors (which name the field) can name
/// the flag or file too.
/// </summary>
internal sealed class RunSpecRequest
{
    private readonly TrainOptions _options;
    private readonly ParseResult _parse;
    private readonly JsonObject? _file;

    private RunSpecRequest(TrainOptions options, ParseResult parse, string? file)
    {
        _options = options;
        _parse = parse;
        File = file;
        _file = file is null ? null : RunSpecFile.Read(file);
    }

    /// <summary>The <c>--config</c> file, or null.</summary>
    public string? File { get; }

    /// <summary>Reads the <c>--config</c> file (if any).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The spec file is not a JSON object.</exception>
    public static RunSpecRequest From(ParseResult p, TrainOptions options) =>
        new(options, p, p.GetValue(options.Config) is { } c ? Path.GetFullPath(c) : null);

    /// <summary>The spec of a new run: defaults ← file ← flags.</summary>
    /// <exception cref="InvalidDataException">The file has an unknown field or a value of the wrong type.</exception>
    /// <exception cref="ArgumentException">A malformed flag, or a loss option the head does not have.</exception>
    public RunSpec NewRun() => Apply(_file is null ? new RunSpec() : RunSpec.FromJson(_file, File!));

    /// <summary>
    /// The change a resume asks for: the flags applied to the saved spec (<see cref="RunPlan.Resume"/> refuses any
    /// outside its rules). A spec file, a graph folder or a fine-tuning start describe a new run and are refused.
    /// </summary>
    /// <exception cref="ArgumentException">--config, --graph or --init-from given with --resume.</exception>
    public Func<RunSpec, RunSpec> Resume()
    {
        foreach (var option in new Option[] { _options.Config, _options.InitFrom, _options.Graph })
            if (SpecField.Given(_parse, option))
                throw new Models.Errors.InputException($"{option.Name} starts a new run; a resumed run keeps the spec and graph saved with its checkpoint (drop {option.Name}, or start a new run without --resume).");
        return Apply;
    }

    /// <summary>Every given flag applied to <paramref name="spec"/>, the loss options last.</summary>
    public RunSpec Apply(RunSpec spec)
    {
        foreach (var field in _options.Fields.Where(f => f.IsGiven(_parse))) spec = field.Apply(spec, _parse);
        return _options.Loss.AnyGiven(_parse) ? spec with { Loss = _options.Loss.Resolve(_parse, spec.Loss) } : spec;
    }

    /// <summary>
    /// Refuses a flag or file field that the graph folder of <paramref name="planned"/> fixes (its manifest's values
    /// replaced what <paramref name="asked"/> had): the value asked for would be ignored.
    /// </summary>
    /// <exception cref="ArgumentException">Such a flag, or a file field whose value differs from the folder's.</exception>
    public RunPlan CheckFixedByGraph(RunSpec asked, RunPlan planned)
    {
        if (asked.Graph is not { } folder) return planned;
        static bool Fixed(string path) => RunPlan.FixedByGraph.Any(f => SpecField.Under(path, f)) && !SolverSpec.ScheduleFields.Any(f => path == "solver." + f);
        if (_options.Fields.FirstOrDefault(f => f.IsGiven(_parse) && Fixed(f.Path)) is { } field)
            throw new Models.Errors.InputException($"{field.Option.Name} is fixed by the graph folder '{folder}' (see its manifest.json); drop it or rebuild the folder with build-graph.");
        if (_options.Loss.AnyGiven(_parse))
            throw new Models.Errors.InputException($"{FlagOf("loss")} is fixed by the graph folder '{folder}' (see its manifest.json); drop it or rebuild the folder with build-graph.");
        foreach (var (path, was, now) in RunSpecFile.Differences(asked, planned.Spec))
            if (Fixed(path) && FileSets(path))
                throw new Models.Errors.InputException($"field {path} of {File} is {was} but graph folder '{folder}' fixes {now} (its manifest.json); drop it or rebuild the folder with build-graph.");
        return planned;
    }

    /// <summary>
    /// A spec error in command-line terms: the flag (or the spec file) that set the field in front of the library's
    /// message, which names the field.
    /// </summary>
    public Models.Errors.InputException Explain(RunSpecException e)
    {
        string? origin = FlagOf(e.Field) ?? (File is not null && FileSets(e.Field) ? File : null);
        return new Models.Errors.InputException(origin is null ? e.Message : $"{origin}: {e.Message}", e);
    }

    /// <summary>The first given flag that sets <paramref name="path"/> or a field inside it (any loss option for the loss), or null.</summary>
    public string? FlagOf(string path)
    {
        if (SpecField.Under(path, "loss"))
            return _options.Loss.All.FirstOrDefault(o => SpecField.Given(_parse, o))?.Name;
        return _options.Fields.FirstOrDefault(f => f.IsGiven(_parse) && (SpecField.Under(f.Path, path) || SpecField.Under(path, f.Path)))?.Option.Name;
    }

    // The file sets the field, a section holding it, or the loss (whose parameters belong to its head).
    private bool FileSets(string path)
    {
        JsonNode? node = _file;
        foreach (var part in path.Split('.'))
        {
            if (node is not JsonObject o || !o.ContainsKey(part)) return false;
            node = o[part];
            if (part == "loss") return true;
        }
        return true;
    }
}
