using Google.Protobuf;
using SphereFace.Models.Onnx;
using SphereFace.Models.IO;

namespace SphereFace.Models.Onnx;

/// <summary>Reads and writes ONNX model files.</summary>
public static class ModelFile
{
    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> atomically (temp file + rename).</summary>
    public static void Save(ModelProto model, string path) => AtomicFile.Write(path, model.WriteTo);

    /// <summary>
    /// Reads a model, with a clear error for a missing, empty, truncated or non-ONNX file; initializers kept as external
    /// data in files beside it are read in (<see cref="ExternalData"/>), so the model in memory needs no folder.
    /// </summary>
    public static ModelProto Load(string path)
    {
        if (Directory.Exists(path))
            throw new InvalidDataException($"Model file '{path}' is a folder; give the .onnx file in it{(File.Exists(Path.Combine(path, "embedding.onnx")) ? $" ('{Path.Combine(path, "embedding.onnx")}')" : "")}.");
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0) throw new InvalidDataException($"Model file '{path}' is empty.");
        ModelProto model;
        try { model = ModelProto.Parser.ParseFrom(bytes); }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"Model file '{path}' is not a valid ONNX model (truncated or corrupt): {e.Message}", e);
        }
        if (model.Graph is null || model.Graph.Node.Count == 0 || model.IrVersion == 0)
            throw new InvalidDataException($"Model file '{path}' holds no ONNX graph (truncated or not an ONNX model).");
        ExternalData.Inline(model, path);
        return model;
    }
}
