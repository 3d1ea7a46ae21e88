using System.Text.Json;
using System.Text.Json.Nodes;

namespace SphereFace.Cli.Experiments;

/// <summary>
/// Reads an experiment file (docs/run-spec.md, "Experiments"): JSON with <c>title</c>, <c>paper_claim</c>, <c>data</c>
/// (name, description, synth arguments), <c>base</c> (a partial run spec every training starts from), <c>runs</c>
/// (name, data, description, <c>spec</c>: the partial run spec laid over the base, optional <c>init_from</c>),
/// <c>protocols</c>, <c>paper_order</c>, and optionally <c>paper_pairs</c>, <c>fixed_data</c>, <c>lambda_floor_at</c>
/// and <c>lambda_floor_why</c>. In descriptions and synth arguments <c>{identities}</c> and <c>{pairs_per_fold}</c>
/// stand for the size knob and the pairs per fold it implies.
/// </summary>
internal static class ExperimentFile
{
    private static readonly string[] Fields = ["title", "paper_claim", "data", "base", "runs", "protocols", "paper_order", "paper_pairs", "fixed_data", "lambda_floor_at", "lambda_floor_why"];

    /// <summary>
    /// λ reaches 5 half-way through the run. In the paper λ reaches 5 at 6 % of 28K iterations, after about one
    /// epoch of CASIA-WebFace; in a run of a few hundred iterations 6 % is a few dozen steps, and A-Softmax with
    /// m = 4 then did not learn at all: on the margins experiment's data, 300 iterations, training accuracy 0 % and
    /// LFW-style accuracy 80.97 %; with the floor at 50 %, 60 % and 94.81 % (README, Experiments).
    /// </summary>
    public const double DefaultLambdaFloorAt = 0.5;

    /// <summary>Why <see cref="DefaultLambdaFloorAt"/>, in one phrase for the report.</summary>
    public const string DefaultLambdaFloorWhy = "half-way, so the net first learns under a near-softmax target; at the paper's 6 % a short run with m = 4 does not learn";

    /// <summary>Matched pairs per fold for a set of <paramref name="identities"/> (2 % of them per fold, 45 pairs each, at most LFW's 300).</summary>
    public static int PairsPerFold(int identities) => Math.Min(300, Math.Max(1, identities / 50) * 45);

    /// <summary>Reads <paramref name="path"/>; the experiment is named after the file.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not an experiment file; the message names the file and the field.</exception>
    public static ExperimentSpec Load(string path, int identities)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Experiment file '{path}' does not exist.", path);
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not an experiment file ({e.Message}).", e);
        }
        foreach (var (key, _) in json)
            if (!Fields.Contains(key)) throw new InvalidDataException($"{path}: unknown field '{key}' (known: {string.Join(", ", Fields)}).");
        string Fill(string text) => text.Replace("{identities}", identities.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{pairs_per_fold}", PairsPerFold(identities).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        T Read<T>(JsonNode? node, string field) => node is null ? throw new InvalidDataException($"{path}: {field} is missing.")
            : Try(() => node.GetValue<T>(), $"{path}: {field} must be a {typeof(T).Name.ToLowerInvariant()}, got {node.ToJsonString()}.");
        JsonArray Array(string field) => json[field] as JsonArray ?? throw new InvalidDataException($"{path}: {field} must be an array.");
        string[] Strings(JsonNode? node, string field) => (node as JsonArray ?? throw new InvalidDataException($"{path}: {field} must be an array of strings."))
            .Select((n, i) => Read<string>(n, $"{field}[{i}]")).ToArray();

        var data = Array("data").Select((d, i) => new ExperimentData(Read<string>(d?["name"], $"data[{i}].name"),
            Fill(Read<string>(d?["description"], $"data[{i}].description")), Strings(d?["synth"], $"data[{i}].synth").Select(Fill).ToArray())).ToList();
        var runs = Array("runs").Select((r, i) => new ExperimentRun(Read<string>(r?["name"], $"runs[{i}].name"), Read<string>(r?["data"], $"runs[{i}].data"),
            Read<string>(r?["description"], $"runs[{i}].description"),
            (r?["spec"] as JsonObject ?? throw new InvalidDataException($"{path}: runs[{i}].spec must be a partial run spec (a JSON object).")).DeepClone().AsObject(),
            r?["init_from"] is { } f ? Read<string>(f, $"runs[{i}].init_from") : null)).ToList();
        var pairs = (json["paper_pairs"] as JsonArray ?? []).Select((p, i) => Strings(p, $"paper_pairs[{i}]") is [var better, var worse]
            ? (better, worse) : throw new InvalidDataException($"{path}: paper_pairs[{i}] must be [better, worse].")).ToList();
        return new ExperimentSpec(
            Path.GetFileNameWithoutExtension(path), Read<string>(json["title"], "title"), Read<string>(json["paper_claim"], "paper_claim"),
            data, (json["base"] as JsonObject ?? new JsonObject()).DeepClone().AsObject(), runs,
            Strings(json["protocols"], "protocols"), Strings(json["paper_order"], "paper_order"),
            json["fixed_data"] is { } fixedData && Read<bool>(fixedData, "fixed_data"),
            json["lambda_floor_at"] is { } at ? Read<double>(at, "lambda_floor_at") : DefaultLambdaFloorAt,
            json["lambda_floor_why"] is { } why ? Read<string>(why, "lambda_floor_why") : DefaultLambdaFloorWhy,
            pairs, Path.GetFullPath(path));
    }

    private static T Try<T>(Func<T> get, string error)
    {
        try
        {
            return get();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new InvalidDataException(error, e);
        }
    }
}
