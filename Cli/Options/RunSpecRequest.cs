using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using SphereFace.Graphs.Losses;
using SphereFace.Training.Runs;

namespace SphereFace.Cli.Options;

/// <summary>
/// What <c>train</c>'s command line asks for, as a partial run spec: the <c>--config</c> file (its relative paths
/// resolved against the file's folder) with every given flag written over it (paths resolved against the working
/// directory). <see cref="NewRun"/> lays it over the defaults; <see cref="Resume"/> over a checkpoint's saved spec,
/// where only <see cref="TrainOptions.ResumeOverridable"/> fields may differ.
/// </summary>
internal sealed class RunSpecRequest
{
    // Spec fields holding file paths: relative ones in a spec file are relative to that file.
    private static readonly string[] PathFields = ["data.source", "data.landmarks", "data.identity_list", "init_from", "graph", "output.folder"];

    private readonly TrainOptions _options;
    private readonly ParseResult _parse;
    private readonly HashSet<string> _fromFlags = new(StringComparer.Ordinal);

    private RunSpecRequest(TrainOptions options, ParseResult parse, JsonObject overlay, string? file)
    {
        _options = options;
        _parse = parse;
        Overlay = overlay;
        File = file;
    }

    /// <summary>The partial spec: the fields the file and the flags set, except the loss options (<see cref="OverlayOn"/>).</summary>
    public JsonObject Overlay { get; }

    /// <summary>
    /// The partial spec laid over <paramref name="basis"/> (merged JSON). Loss options apply to the file's loss, or else
    /// to the basis's (the defaults' or a resumed run's), so <c>--loss-param m=3</c> changes one parameter of that head.
    /// </summary>
    /// <exception cref="ArgumentException">A loss option the head does not have.</exception>
    public JsonObject OverlayOn(JsonObject basis)
    {
        var merged = SpecField.Merge(basis, Overlay, "loss");
        if (_fromFlags.Contains("loss"))
            merged["loss"] = _options.Loss.Resolve(_parse, LossConfig.FromJson((JsonObject)merged["loss"]!, File ?? "loss")).ToJson();
        return merged;
    }

    /// <summary>The <c>--config</c> file, or null.</summary>
    public string? File { get; }

    /// <summary>Reads the <c>--config</c> file (if any) and writes the given flags over it.</summary>
    /// <exception cref="ArgumentException">A malformed flag value, or a loss option the head does not have.</exception>
    /// <exception cref="InvalidDataException">The spec file is not a JSON object.</exception>
    public static RunSpecRequest From(ParseResult p, TrainOptions options)
    {
        string? file = p.GetValue(options.Config) is { } c ? Path.GetFullPath(c) : null;
        var overlay = file is null ? new JsonObject() : ReadFile(file);
        var request = new RunSpecRequest(options, p, overlay, file);
        foreach (var field in options.Fields.Where(f => f.IsGiven(p)))
        {
            SpecField.Set(overlay, field.Path, field.Value(p));
            request._fromFlags.Add(field.Path);
        }
        if (options.Loss.AnyGiven(p)) request._fromFlags.Add("loss");
        return request;
    }

    /// <summary>A spec file as a JSON object with its relative paths made absolute against its folder.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a JSON object, or a path field that is not a string.</exception>
    public static JsonObject ReadFile(string file)
    {
        if (!System.IO.File.Exists(file)) throw new FileNotFoundException($"--config '{file}' does not exist (expected a run spec JSON file, docs/run-spec.md).", file);
        JsonObject json;
        try
        {
            json = JsonNode.Parse(System.IO.File.ReadAllText(file), documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject
                ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file}: not a run spec ({e.Message}).", e);
        }
        string dir = Path.GetDirectoryName(file)!;
        foreach (var path in PathFields)
        {
            if (SpecField.Get(json, path) is not { } node) continue;
            if (node is not JsonValue v || !v.TryGetValue<string>(out var text))
                throw new InvalidDataException($"{file}: {path} must be a path string, got {node.ToJsonString()}.");
            if (path == "data.source" && DataSourceSpec.IsRandom(text)) continue;
            SpecField.Set(json, path, Path.GetFullPath(text, dir));
        }
        return json;
    }

    /// <summary>True when the file or a flag sets <paramref name="path"/> (or a field inside it).</summary>
    public bool Sets(string path) => SpecField.Get(Overlay, path) is not null || path == "loss" && _fromFlags.Contains("loss");

    /// <summary>The flag that set <paramref name="path"/>, or null when the file did (or nothing).</summary>
    public string? FlagOf(string path) =>
        path == "loss" ? (_fromFlags.Contains("loss") ? _options.Loss.All.First(o => SpecField.Given(_parse, o)).Name : null)
        : _fromFlags.Contains(path) ? _options.Fields.First(f => f.Path == path).Option.Name : null;

    /// <summary>The first flag that set <paramref name="section"/> or a field inside it (any loss option for "loss"), or null.</summary>
    public string? FlagUnder(string section) =>
        _fromFlags.Where(f => f == section || f.StartsWith(section + ".", StringComparison.Ordinal)).Select(FlagOf).FirstOrDefault(f => f is not null);

    /// <summary>
    /// Refuses a spec file field that <paramref name="withGraph"/> (the spec with a graph folder's manifest applied)
    /// changed: the folder fixes it, so the file's value would be ignored.
    /// </summary>
    /// <exception cref="ArgumentException">Such a field; the message names it and both values.</exception>
    public void CheckFixedByGraph(RunSpec asked, RunSpec withGraph, string folder)
    {
        foreach (var (path, was, now) in Differences(asked.ToJsonObject(), withGraph.ToJsonObject(), ""))
        {
            string top = TopLevelSet(path);
            if (path == "graph" || !Sets(top) && !Sets(path)) continue;
            throw new ArgumentException($"{Origin(Sets(path) ? path : top)} sets {path} = {was} but graph folder '{folder}' fixes {now} (its manifest.json); drop it or rebuild the folder with build-graph.");
        }
    }

    /// <summary>
    /// A spec error in command-line terms: the flag (or the spec file) that set the field in front of the library's
    /// message, which names the field.
    /// </summary>
    public ArgumentException Explain(RunSpecException e)
    {
        string? origin = FlagOf(e.Field) ?? FlagUnder(e.Field) ?? (File is not null && Sets(e.Field) ? File : null);
        return new ArgumentException(origin is null ? e.Message : $"{origin}: {e.Message}", e);
    }

    /// <summary>Who set <paramref name="path"/>, for messages: "--lr" or "field solver.base_lr of FILE".</summary>
    public string Origin(string path) => FlagOf(path) ?? $"field {path} of {File}";

    /// <summary>
    /// The spec of a new run: defaults ← file ← flags. On cuda the kernels default to standard (oneDNN's run on the CPU only).
    /// </summary>
    /// <exception cref="InvalidDataException">An unknown field or a value of the wrong type.</exception>
    public RunSpec NewRun()
    {
        var merged = OverlayOn(new RunSpec().ToJsonObject());
        if (!Sets("kernels") && (string?)SpecField.Get(merged, "machine.device") == "cuda") merged["kernels"] = "standard";
        return RunSpec.FromJson(merged, File ?? "the command line");
    }

    /// <summary>
    /// The spec of a resumed run: <paramref name="saved"/> (the checkpoint's, read from <paramref name="source"/>) with
    /// the request laid over it; a field outside <see cref="TrainOptions.ResumeOverridable"/> that differs is refused.
    /// </summary>
    /// <exception cref="ArgumentException">A conflicting field; the message names the flag or file field and both values.</exception>
    public RunSpec Resume(RunSpec saved, string source)
    {
        var savedJson = saved.ToJsonObject();
        var requested = RunSpec.FromJson(OverlayOn(savedJson), File ?? "the command line").ToJsonObject();
        foreach (var (path, was, now) in Differences(savedJson, requested, ""))
        {
            if (TrainOptions.ResumeOverridable.Contains(path)) continue;
            string field = TopLevelSet(path);
            throw new ArgumentException($"{Origin(field)} asks for {path} = {now} but the run resumed from '{source}' has {was}; a resumed run keeps its spec " +
                                        $"except {string.Join(", ", TrainOptions.ResumeOverridable)} — start a new run (--out elsewhere, or --init-from to fine-tune) to change it.");
        }
        return RunSpec.FromJson(requested, source);
    }

    // The overlay's field that covers path (loss parameters are set as the whole loss).
    private string TopLevelSet(string path) => path.StartsWith("loss", StringComparison.Ordinal) ? "loss" : path;

    private static IEnumerable<(string Path, string Was, string Now)> Differences(JsonObject a, JsonObject b, string prefix)
    {
        foreach (var key in a.Select(kv => kv.Key).Union(b.Select(kv => kv.Key)))
        {
            var (x, y) = (a[key], b[key]);
            if (x is JsonObject xo && y is JsonObject yo)
                foreach (var d in Differences(xo, yo, $"{prefix}{key}.")) yield return d;
            else if ((x?.ToJsonString() ?? "null") != (y?.ToJsonString() ?? "null"))
                yield return ($"{prefix}{key}", x?.ToJsonString() ?? "null", y?.ToJsonString() ?? "null");
        }
    }
}
