using Microsoft.ML.OnnxRuntime;
using SphereFace.Models.Onnx;
using SphereFace.Models;

namespace SphereFace.Inference;

/// <summary>Validates an embedding model file and its input contract before (and after) ONNX Runtime loads it.</summary>
internal static class EmbeddingModelCheck
{
    /// <summary>
    /// Loads the model file; throws <see cref="FileNotFoundException"/> for a missing file and
    /// <see cref="InvalidDataException"/> for an empty, truncated or non-ONNX file.
    /// </summary>
    public static ModelProto LoadModel(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("No model path given.");
        return ModelFile.Load(path);
    }

    /// <summary>
    /// Reads the input contract of <paramref name="model"/> (file <paramref name="path"/>); throws
    /// <see cref="InvalidDataException"/> for a non-SphereFace model or a contract this preprocessing cannot produce
    /// (layout, channel order, normalisation, size).
    /// </summary>
    public static InputContract ReadContract(ModelProto model, string path)
    {
        var c = InputContract.FromModel(model, path);
        if (c.Layout != "NCHW") throw new InvalidDataException($"{path}: input layout '{c.Layout}' is not supported; expected NCHW.");
        if (c.ChannelOrder != "RGB") throw new InvalidDataException($"{path}: channel order '{c.ChannelOrder}' is not supported; expected RGB.");
        // The preparation (FacePreprocess) computes this normalisation only; a model asking for another is refused.
        if (Math.Abs(c.Mean - InputContract.PixelMean) > 1e-4f || Math.Abs(c.Scale - InputContract.PixelScale) > 1e-7f)
            throw new InvalidDataException($"{path}: input normalisation (p − {c.Mean}) × {c.Scale} is not supported; expected (p − 127.5) / 128.");
        if (c.Height != 112 || (c.Width != 96 && c.Width != 112))
            throw new InvalidDataException($"{path}: input size {c.Height}×{c.Width} has no alignment template; expected 112×96 or 112×112.");
        return c;
    }

    /// <summary>Checks the loaded session's input and output against the contract.</summary>
    public static void CheckSession(InferenceSession session, InputContract c, string path)
    {
        if (!session.InputMetadata.TryGetValue(c.InputName, out var input))
            throw new InvalidDataException($"{path}: the graph has no input '{c.InputName}' named by its contract (inputs: {string.Join(", ", session.InputMetadata.Keys)}).");
        if (!session.OutputMetadata.TryGetValue(c.OutputName, out var output))
            throw new InvalidDataException($"{path}: the graph has no output '{c.OutputName}' named by its contract (outputs: {string.Join(", ", session.OutputMetadata.Keys)}).");
        if (input.ElementType != typeof(float) || output.ElementType != typeof(float))
            throw new InvalidDataException($"{path}: input and output must be float32.");
        var d = input.Dimensions;
        if (d.Length != 4 || d[1] != 3 || d[2] != c.Height || d[3] != c.Width)
            throw new InvalidDataException($"{path}: input '{c.InputName}' has shape [{string.Join(",", d)}]; the contract says [N,3,{c.Height},{c.Width}].");
        var o = output.Dimensions;
        if (o.Length != 2 || o[1] != c.EmbeddingSize)
            throw new InvalidDataException($"{path}: output '{c.OutputName}' has shape [{string.Join(",", o)}]; the contract says [N,{c.EmbeddingSize}].");
    }
}
