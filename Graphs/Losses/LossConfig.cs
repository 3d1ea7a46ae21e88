using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace SphereFace.Graphs.Losses;

/// <summary>
/// A loss head and the values of its parameters: <see cref="Head"/> names the head (<see cref="LossHeads"/>), and
/// every parameter the head declares that is not in <see cref="Values"/> takes the head's default. As JSON (run specs,
/// manifests) a flat object: <c>{"head": "asoftmax", "m": 4}</c>.
/// </summary>
[JsonConverter(typeof(LossConfigJsonConverter))]
public sealed class LossConfig : IEquatable<LossConfig>
{
    private readonly SortedDictionary<string, JsonNode> _values;

    private LossConfig(string head, SortedDictionary<string, JsonNode> values)
    {
        Head = head;
        _values = values;
    }

    /// <summary>The head's name.</summary>
    public string Head { get; }

    /// <summary>The values set explicitly, by parameter name.</summary>
    public IReadOnlyDictionary<string, JsonNode> Values => _values;

    /// <summary>The head this configuration is for.</summary>
    /// <exception cref="ArgumentException">No head of that name is registered.</exception>
    public ILossHead Rule => LossHeads.Get(Head);

    /// <summary>
    /// A configuration of head <paramref name="head"/> with <paramref name="values"/> (bool, int, float, double or string
    /// values). Each name must be one of the head's parameters.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown head or parameter.</exception>
    public static LossConfig Of(string head, params (string Name, object Value)[] values)
    {
        var rule = LossHeads.Get(head);
        var config = new LossConfig(rule.Name, new SortedDictionary<string, JsonNode>(StringComparer.Ordinal));
        foreach (var (name, value) in values) config = config.With(name, value);
        return config;
    }

    /// <summary>This configuration with parameter <paramref name="name"/> set to <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException">The head has no such parameter, or the value is not of the default's kind.</exception>
    public LossConfig With(string name, object value)
    {
        var parameter = Rule.Parameters.FirstOrDefault(p => p.Name == name)
            ?? throw new Models.Errors.InputException($"loss head '{Head}' has no parameter '{name}' (its parameters: {ParameterList(Rule)}).");
        if (value is float f && !float.IsFinite(f) || value is double d && !double.IsFinite(d))
            throw new Models.Errors.InputException($"loss.{name} must be a finite number, got {value}.");
        var node = value as JsonNode ?? JsonValue.Create(value) ?? throw new Models.Errors.InputException($"loss.{name} cannot be null.");
        if (KindOf(node) != KindOf(parameter.Default))
            throw new Models.Errors.InputException($"loss.{name} must be a {KindOf(parameter.Default)} like its default {parameter.Default.ToJsonString()}, got {node.ToJsonString()}.");
        if (HoldsInt(parameter.Default) && !IsInteger(node))
            throw new Models.Errors.InputException($"loss.{name} must be an integer like its default {parameter.Default.ToJsonString()}, got {node.ToJsonString()}.");
        // Stored in parsed form, so numbers convert between int, float and double like any JSON read from a file.
        var values = new SortedDictionary<string, JsonNode>(_values, StringComparer.Ordinal) { [name] = JsonNode.Parse(node.ToJsonString())! };
        return new LossConfig(Head, values);
    }

    /// <summary>This configuration with <paramref name="name"/> set when the head has such a parameter; unchanged otherwise.</summary>
    public LossConfig WithIfDeclared(string name, object value) =>
        Rule.Parameters.Any(p => p.Name == name) ? With(name, value) : this;

    private JsonNode Value(string name) =>
        _values.TryGetValue(name, out var v) ? v
        : Rule.Parameters.FirstOrDefault(p => p.Name == name)?.Default is { } d ? JsonNode.Parse(d.ToJsonString())!
        : throw new Models.Errors.InputException($"loss head '{Head}' has no parameter '{name}'.");

    /// <summary>The integer value of parameter <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">Not an integer.</exception>
    public int Int(string name) => Value(name).AsValue().TryGetValue<int>(out int i) ? i
        : throw new Models.Errors.InputException($"loss.{name} must be an integer, got {Value(name).ToJsonString()}.");

    /// <summary>The number value of parameter <paramref name="name"/>.</summary>
    public float Float(string name) => (float)Value(name).GetValue<double>();

    /// <summary>The boolean value of parameter <paramref name="name"/>.</summary>
    public bool Bool(string name) => Value(name).GetValue<bool>();

    /// <summary>The string value of parameter <paramref name="name"/>.</summary>
    public string String(string name) => Value(name).GetValue<string>();

    /// <summary>Every parameter of the head with its effective value (defaults filled in), as JSON.</summary>
    public JsonObject Effective()
    {
        var o = new JsonObject();
        foreach (var p in Rule.Parameters) o[p.Name] = Value(p.Name).DeepClone();
        return o;
    }

    /// <summary>The flat JSON form: <c>head</c> and every effective parameter.</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject { ["head"] = Head };
        foreach (var (k, v) in Effective()) o[k] = v?.DeepClone();
        return o;
    }

    /// <summary>Reads the flat JSON form; <paramref name="source"/> names the origin in errors.</summary>
    /// <exception cref="ArgumentException">No head, an unknown head or parameter, or a value of the wrong kind.</exception>
    public static LossConfig FromJson(JsonObject json, string source)
    {
        if (json["head"] is not JsonValue h || !h.TryGetValue<string>(out var head))
            throw new Models.Errors.InputException($"{source}: loss.head is missing (one of {string.Join(", ", LossHeads.All.Select(x => x.Name))}).");
        var config = Of(head);
        foreach (var (name, value) in json)
            if (name != "head") config = config.With(name, value ?? throw new Models.Errors.InputException($"{source}: loss.{name} is null."));
        return config;
    }

    /// <summary>The checkpoint descriptor (<see cref="ILossHead.Describe"/>).</summary>
    public override string ToString() => Rule.Describe(this);

    /// <inheritdoc/>
    public bool Equals(LossConfig? other) => other is not null && ToJson().ToJsonString() == other.ToJson().ToJsonString();

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as LossConfig);

    /// <inheritdoc/>
    public override int GetHashCode() => ToJson().ToJsonString().GetHashCode(StringComparison.Ordinal);

    /// <summary>"m (default 4), use_plugin (default true)".</summary>
    public static string ParameterList(ILossHead head) =>
        head.Parameters.Count == 0 ? "none" : string.Join(", ", head.Parameters.Select(p => $"{p.Name} (default {p.Default.ToJsonString()})"));

    /// <summary>Formats a float for descriptors the way checkpoints have always written them.</summary>
    public static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    // A default created from an int (not a double such as 1.0) makes the parameter an integer.
    private static bool HoldsInt(JsonNode n) => n is JsonValue v && (v.TryGetValue<int>(out _) || v.TryGetValue<long>(out _));

    private static bool IsInteger(JsonNode n) =>
        n.GetValueKind() == JsonValueKind.Number && double.TryParse(n.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue;

    // JSON tells true from false by kind; a parameter's kind is boolean, number, string, ….
    private static string KindOf(JsonNode n) => n.GetValueKind() switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        var k => k.ToString().ToLowerInvariant(),
    };
}

/// <summary>JSON form of <see cref="LossConfig"/>.</summary>
internal sealed class LossConfigJsonConverter : JsonConverter<LossConfig>
{
    public override LossConfig Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var node = JsonNode.Parse(ref reader) as JsonObject ?? throw new JsonException("loss must be a JSON object");
        try
        {
            return LossConfig.FromJson(node, "loss");
        }
        catch (ArgumentException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, LossConfig value, JsonSerializerOptions options) => value.ToJson().WriteTo(writer);
}
