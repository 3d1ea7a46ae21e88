using Google.Protobuf;

namespace SphereFace.Models.Onnx;

/// <summary>
/// Initializers whose bytes a model keeps in a file beside it (ONNX external data: <c>location</c>, <c>offset</c>,
/// <c>length</c>), read into the model itself. A model that is rewritten in memory and handed to ONNX Runtime as bytes
/// has no folder of its own, so its external data would resolve against the process's current folder; inlined at load,
/// it reads the files beside the model and nothing else.
/// </summary>
public static class ExternalData
{
    /// <summary>
    /// Reads the external data of every initializer of <paramref name="model"/> (file <paramref name="modelPath"/>) into
    /// its <c>raw_data</c>; returns how many tensors were inlined.
    /// </summary>
    /// <exception cref="InvalidDataException">A location outside the model's folder (absolute, or leaving it by ..), a missing
    /// file, or an offset or length outside it; the message names the model, the tensor and the location.</exception>
    public static int Inline(ModelProto model, string modelPath)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        int inlined = 0;
        foreach (var tensor in model.Graph.Initializer)
        {
            if (tensor.DataLocation != TensorProto.Types.DataLocation.External) continue;
            var entries = tensor.ExternalData.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            string Fail(string what) => throw new InvalidDataException($"{modelPath}: initializer '{tensor.Name}': {what}.");
            if (!entries.TryGetValue("location", out var location) || location.Length == 0) Fail("external data without a location");
            string file = Path.GetFullPath(Path.Combine(folder, location!));
            if (Path.IsPathRooted(location) || !file.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                Fail($"external data location '{location}' is outside the model's folder '{folder}'");
            if (!File.Exists(file)) Fail($"external data file '{file}' does not exist");
            long size = new FileInfo(file).Length;
            long offset = Number(entries, "offset", 0, tensor.Name, modelPath);
            long length = Number(entries, "length", size - offset, tensor.Name, modelPath);
            if (offset < 0 || length < 0 || offset > size || length > size - offset || length > int.MaxValue)
                Fail($"external data [{offset}, +{length}) lies outside '{location}' ({size} bytes)");
            var bytes = new byte[length];
            using (var stream = File.OpenRead(file))
            {
                stream.Position = offset;
                stream.ReadExactly(bytes);
            }
            tensor.RawData = ByteString.CopyFrom(bytes);
            tensor.ExternalData.Clear();
            tensor.DataLocation = TensorProto.Types.DataLocation.Default;
            inlined++;
        }
        return inlined;
    }

    private static long Number(Dictionary<string, string> entries, string key, long fallback, string tensor, string modelPath) =>
        !entries.TryGetValue(key, out var text) ? fallback
        : long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long v) ? v
        : throw new InvalidDataException($"{modelPath}: initializer '{tensor}': external data {key} '{text}' is not a non-negative integer.");
}
