using System.Text.Json;
using SphereFace.Graphs.IO;
using SphereFace.Models.IO;

namespace SphereFace.Graphs.TrainStep;

/// <summary>
/// Carried tensors in a safetensors file with their kinds recorded (metadata entry <see cref="KindsKey"/>, a JSON object
/// name → "parameter" | "momentum" | "state"): the graph folder's <c>initial.safetensors</c> and, with more
/// metadata, the checkpoints (docs/checkpoints.md).
/// </summary>
public static class CarriedTensorFile
{
    /// <summary>Metadata key of the kinds.</summary>
    public const string KindsKey = "carried_kinds";
    /// <summary>Value of the <c>format</c> metadata entry of an initial-tensors file.</summary>
    public const string InitialFormat = "sphereface-initial-1";

    /// <summary>The kinds entry for <paramref name="carried"/>.</summary>
    public static string KindsJson(IEnumerable<CarriedTensor> carried) =>
        JsonSerializer.Serialize(carried.ToDictionary(c => c.Input, c => CarriedTensor.KindName(c.Kind)));

    /// <summary>Reads a kinds entry; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="InvalidDataException">The entry is not a JSON object of known kinds.</exception>
    public static IReadOnlyDictionary<string, CarriedKind> ParseKinds(string json, string source)
    {
        try
        {
            var raw = JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? throw new JsonException("null");
            return raw.ToDictionary(kv => kv.Key, kv => CarriedTensor.ParseKind(kv.Value), StringComparer.Ordinal);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"'{source}': metadata '{KindsKey}' is not valid ({e.Message}).", e);
        }
    }

    /// <summary>Writes the initial values of <paramref name="step"/>'s carried tensors to <paramref name="path"/> atomically.</summary>
    public static void WriteInitial(string path, TrainStepGraph step) =>
        AtomicFile.Write(path, s => SafeTensors.Write(s, step.InitialValues().ToArray(), new Dictionary<string, string>
        {
            ["format"] = InitialFormat,
            [KindsKey] = KindsJson(step.Carried),
        }));

    /// <summary>
    /// Reads an initial-tensors file and checks it holds exactly <paramref name="contract"/>'s carried tensors with their
    /// shapes and kinds; returns them in contract order.
    /// </summary>
    /// <exception cref="InvalidDataException">A missing, extra, reshaped or differently kinded tensor, or a damaged file; the message names it.</exception>
    public static IReadOnlyList<NamedTensor> ReadInitial(string path, TrainStepContract contract)
    {
        var (tensors, metadata) = SafeTensors.Read(path);
        if (!metadata.TryGetValue("format", out var format) || format != InitialFormat)
            throw new InvalidDataException($"'{path}' is not an initial-tensors file (format '{format}', expected '{InitialFormat}').");
        var kinds = metadata.TryGetValue(KindsKey, out var k) ? ParseKinds(k, path) : new Dictionary<string, CarriedKind>();
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var ordered = new List<NamedTensor>();
        foreach (var c in contract.Carried)
        {
            if (!byName.TryGetValue(c.Input, out var t))
                throw new InvalidDataException($"'{path}' has no tensor '{c.Input}' (shape [{string.Join(",", c.Shape)}]) that the training step carries.");
            if (!t.Shape.SequenceEqual(c.Shape))
                throw new InvalidDataException($"'{path}': tensor '{c.Input}' has shape [{string.Join(",", t.Shape)}], the training step needs [{string.Join(",", c.Shape)}].");
            if (kinds.TryGetValue(c.Input, out var kind) && kind != c.Kind)
                throw new InvalidDataException($"'{path}': tensor '{c.Input}' is a {CarriedTensor.KindName(kind)}, the manifest says {CarriedTensor.KindName(c.Kind)}.");
            ordered.Add(t);
        }
        var extra = tensors.Select(t => t.Name).Where(n => contract.Carried.All(c => c.Input != n)).ToArray();
        if (extra.Length > 0)
            throw new InvalidDataException($"'{path}' has tensors the training step does not carry: {string.Join(", ", extra.Take(5))}{(extra.Length > 5 ? ", …" : "")}.");
        return ordered;
    }
}
