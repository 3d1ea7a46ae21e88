using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SphereFace.Graphs.IO;
using SphereFace.Models.IO;
using SphereFace.Models;

namespace SphereFace.Graphs.Export;

/// <summary>
/// <c>manifest.json</c> written beside the graphs by <c>build-graph</c>: what was built, how big it is, and the
/// input contract. Sections added by later stages (loss, training step) live in <see cref="Sections"/>.
/// </summary>
public sealed class Manifest
{
    /// <summary>File name inside a graph folder.</summary>
    public const string FileName = "manifest.json";

    /// <summary>Net name, e.g. "sphere20".</summary>
    public required string Net { get; init; }
    /// <summary>Number of identities of the classifier.</summary>
    public required int Classes { get; init; }
    /// <summary>Parameters of the backbone (convs, PReLUs, embedding FC).</summary>
    public required long BackboneParameters { get; init; }
    /// <summary>Initialisation seed.</summary>
    public required ulong Seed { get; init; }
    /// <summary>ONNX opset of the default domain.</summary>
    public int Opset { get; init; } = Building.GraphBuilder.Opset;
    /// <summary>ONNX IR version.</summary>
    public int IrVersion { get; init; } = Building.GraphBuilder.IrVersion;
    /// <summary>Whether a ReLU follows the embedding.</summary>
    public bool LastRelu { get; init; }
    /// <summary>Embedding width.</summary>
    public int EmbeddingSize { get; init; } = 512;
    /// <summary>The embedding graph's input contract.</summary>
    public required InputContract Input { get; init; }
    /// <summary>Graph files in the folder, by role (embedding, loss, train_step).</summary>
    public Dictionary<string, string> Files { get; init; } = new(StringComparer.Ordinal);
    /// <summary>Further sections by name (loss head constants, training-step I/O, …).</summary>
    public Dictionary<string, JsonNode?> Sections { get; init; } = new(StringComparer.Ordinal);

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Serialises to indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>Writes <c>manifest.json</c> into <paramref name="folder"/> atomically.</summary>
    public void Save(string folder) => AtomicFile.WriteAllText(Path.Combine(folder, FileName), ToJson());

    /// <summary>Reads a manifest, naming the file on error.</summary>
    public static Manifest Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<Manifest>(File.ReadAllText(path), Options)
                ?? throw new InvalidDataException($"{path}: empty manifest.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid manifest ({e.Message}).", e);
        }
    }
}
