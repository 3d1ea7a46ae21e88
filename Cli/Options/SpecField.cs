using System.CommandLine;
using System.Text.Json.Nodes;

namespace SphereFace.Cli.Options;

/// <summary>
/// A command-line option bound to a field of a JSON spec (run spec or graph spec): when the option is given, its value
/// is written at <see cref="Path"/> (dot-separated, e.g. <c>solver.base_lr</c>), overriding a spec file and the defaults.
/// </summary>
internal sealed record SpecField(Option Option, string Path, Func<ParseResult, JsonNode?> Value)
{
    /// <summary>A field whose JSON value is the option's parsed value.</summary>
    public static SpecField Of<T>(Option<T> option, string path) => new(option, path, p => JsonValue.Create(Finite(option, p.GetValue(option))));

    // JSON has no NaN or ∞, and no field accepts them: refused here, naming the flag.
    private static T? Finite<T>(Option<T> option, T? value) => value switch
    {
        float f when !float.IsFinite(f) => throw new ArgumentException($"{option.Name} must be a finite number, got {f}."),
        double d when !double.IsFinite(d) => throw new ArgumentException($"{option.Name} must be a finite number, got {d}."),
        _ => value,
    };

    /// <summary>A field whose JSON value is computed from the option's parsed value.</summary>
    public static SpecField Of<T>(Option<T> option, string path, Func<T, JsonNode?> convert) => new(option, path, p => convert(p.GetValue(option)!));

    /// <summary>A field holding a file path: the option's value made absolute against the working directory.</summary>
    public static SpecField OfPath(Option<string> option, string path) => new(option, path, p => JsonValue.Create(System.IO.Path.GetFullPath(p.GetValue(option)!)));

    /// <summary>True when the option was typed on the command line (not its default).</summary>
    public bool IsGiven(ParseResult p) => Given(p, Option);

    /// <summary>True when <paramref name="option"/> was typed on the command line.</summary>
    public static bool Given(ParseResult p, Option option) => p.GetResult(option) is { Implicit: false };

    /// <summary>Writes <paramref name="value"/> at dotted <paramref name="path"/> of <paramref name="root"/>, creating objects on the way.</summary>
    public static void Set(JsonObject root, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var node = root;
        foreach (var part in parts[..^1])
        {
            if (node[part] is not JsonObject child)
            {
                child = new JsonObject();
                node[part] = child;
            }
            node = child;
        }
        node[parts[^1]] = value?.DeepClone();
    }

    /// <summary>The value at dotted <paramref name="path"/>, or null.</summary>
    public static JsonNode? Get(JsonObject root, string path)
    {
        JsonNode? node = root;
        foreach (var part in path.Split('.')) node = node is JsonObject o ? o[part] : null;
        return node;
    }

    /// <summary>
    /// <paramref name="overlay"/> merged into <paramref name="basis"/>: objects recursively, anything else replaced; the
    /// fields in <paramref name="replaceWhole"/> (e.g. "loss", whose parameters belong to its head) replaced as a whole.
    /// </summary>
    public static JsonObject Merge(JsonObject basis, JsonObject overlay, params string[] replaceWhole)
    {
        var result = basis.DeepClone().AsObject();
        foreach (var (key, value) in overlay)
            result[key] = value is JsonObject o && result[key] is JsonObject b && !replaceWhole.Contains(key) ? Merge(b, o) : value?.DeepClone();
        return result;
    }
}
