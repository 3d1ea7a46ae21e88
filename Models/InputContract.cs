using SphereFace.Models.Onnx;

namespace SphereFace.Models;

/// <summary>
/// What an embedding graph expects: float32 NCHW [N,3,H,W], RGB, each pixel mapped as (p − 127.5) / 128,
/// a face aligned onto the SphereFace template with its coordinates read <see cref="TemplateOrigin"/>-based (0: OpenCV
/// pixel centres, the project's models; 1: MATLAB indices, models trained by the original code). Written to (and read
/// back from) the model's metadata so a loader can validate and honour it.
/// </summary>
public sealed record InputContract(
    string InputName = "data",
    string OutputName = "embedding",
    int Height = 112,
    int Width = 96,
    int EmbeddingSize = 512,
    string ChannelOrder = "RGB",
    string Layout = "NCHW",
    float Mean = InputContract.PixelMean,
    float Scale = InputContract.PixelScale,
    int TemplateOrigin = 0)
{
    /// <summary>The SphereFace normalisation's mean: every 8-bit pixel p becomes (p − 127.5) × <see cref="PixelScale"/>.</summary>
    public const float PixelMean = 127.5f;

    /// <summary>The SphereFace normalisation's scale, 1/128.</summary>
    public const float PixelScale = 1f / 128f;

    /// <summary>Metadata key prefix.</summary>
    public const string Prefix = "sphereface.";

    /// <summary>One-line human description (also stored as metadata).</summary>
    public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"float32 {Layout} [N,3,{Height},{Width}] {ChannelOrder}, pixel p → (p − {Mean}) × {Scale:R}, face aligned by 5 points onto the SphereFace template read {TemplateOrigin}-based; output '{OutputName}' [N,{EmbeddingSize}]");

    /// <summary>The contract as metadata entries.</summary>
    public IEnumerable<KeyValuePair<string, string>> ToMetadata() =>
    [
        new(Prefix + "input_name", InputName),
        new(Prefix + "output_name", OutputName),
        new(Prefix + "input_height", Height.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new(Prefix + "input_width", Width.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new(Prefix + "embedding_size", EmbeddingSize.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new(Prefix + "channel_order", ChannelOrder),
        new(Prefix + "layout", Layout),
        new(Prefix + "mean", Mean.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
        new(Prefix + "scale", Scale.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
        new(Prefix + "template_origin", TemplateOrigin.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new(Prefix + "input_contract", Describe()),
    ];

    /// <summary>Reads the contract from metadata; throws naming the first missing or malformed key.</summary>
    public static InputContract FromMetadata(IReadOnlyDictionary<string, string> meta, string source)
    {
        string Get(string key) => meta.TryGetValue(Prefix + key, out var v) ? v
            : throw new InvalidDataException($"{source}: metadata key '{Prefix + key}' is missing; not a SphereFace embedding model (expected the input contract written by build-graph/export).");
        int GetInt(string key) => int.TryParse(Get(key), out int v) && v > 0 ? v
            : throw new InvalidDataException($"{source}: metadata '{Prefix + key}' = '{Get(key)}' is not a positive integer.");
        float GetFloat(string key) => float.TryParse(Get(key), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float v) ? v
            : throw new InvalidDataException($"{source}: metadata '{Prefix + key}' = '{Get(key)}' is not a number.");
        // Models written before the key existed were all aligned 0-based.
        int origin = !meta.TryGetValue(Prefix + "template_origin", out var o) ? 0
            : o is "0" or "1" ? o[0] - '0'
            : throw new InvalidDataException($"{source}: metadata '{Prefix}template_origin' = '{o}' is not 0 or 1.");
        return new InputContract(Get("input_name"), Get("output_name"), GetInt("input_height"), GetInt("input_width"),
            GetInt("embedding_size"), Get("channel_order"), Get("layout"), GetFloat("mean"), GetFloat("scale"), origin);
    }

    /// <summary>Reads the contract from a loaded model.</summary>
    public static InputContract FromModel(ModelProto model, string source) =>
        FromMetadata(model.MetadataProps.ToDictionary(e => e.Key, e => e.Value), source);
}
