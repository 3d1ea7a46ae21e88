using System.Text.Json;
using System.Text.Json.Nodes;

namespace SphereFace.Training.Runs;

/// <summary>
/// A run spec file (<c>train --config</c>, configs/): JSON whose relative paths are relative to the file's folder, so a
/// spec and its data can move together.
/// </summary>
public static class RunSpecFile
{
    /// <summary>Spec fields holding file paths.</summary>
    public static readonly string[] PathFields = ["data.source", "data.landmarks", "data.identity_list", "init_from", "graph", "output.folder"];

    /// <summary>The spec <paramref name="file"/> holds, with its relative paths made absolute against its folder.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a run spec: not JSON, a key given twice, an unknown field, a wrong type, no version.</exception>
    public static RunSpec Load(string file) => RunSpec.FromJson(Read(file), file);

    /// <summary>
    /// The JSON object of <paramref name="file"/> with its path fields made absolute (what <see cref="Load"/> parses);
    /// callers that report which fields a file sets read it here.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a JSON object, a key given twice, or a path field that is not a string.</exception>
    public static JsonObject Read(string file)
    {
        file = Path.GetFullPath(file);
        if (!File.Exists(file)) throw new FileNotFoundException($"run spec '{file}' does not exist (expected a JSON file, docs/run-spec.md).", file);
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(file), documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject
                ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file}: not a run spec ({e.Message}).", e);
        }
        string dir = Path.GetDirectoryName(file)!;
        foreach (var path in PathFields)
        {
            var parts = path.Split('.');
            var parent = parts.Length == 1 ? json : json[parts[0]] as JsonObject;
            if (parent?[parts[^1]] is not { } node) continue;
            if (node is not JsonValue v || !v.TryGetValue<string>(out var text))
                throw new InvalidDataException($"{file}: {path} must be a path string, got {node.ToJsonString()}.");
            if (path == "data.source" && DataSourceSpec.IsRandom(text)) continue;
            parent[parts[^1]] = Path.GetFullPath(text, dir);
        }
        return json;
    }

    /// <summary>
    /// The fields in which <paramref name="a"/> and <paramref name="b"/> differ, as dotted paths (e.g.
    /// <c>solver.base_lr</c>, <c>loss.m</c>) with both values in JSON.
    /// </summary>
    public static IEnumerable<(string Path, string Was, string Now)> Differences(RunSpec a, RunSpec b) => Differences(a.ToJsonObject(), b.ToJsonObject(), "");

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
