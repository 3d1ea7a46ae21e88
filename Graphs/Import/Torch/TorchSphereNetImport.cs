using SphereFace.Graphs.IO;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Parameters;

namespace SphereFace.Graphs.Import.Torch;

/// <summary>
/// Reads a SphereFace net saved by PyTorch (a <c>.pth</c> state dict, read by <see cref="TorchCheckpointFile"/>, which
/// runs no code from the file) and maps its names onto the project's SphereNet.
/// <list type="bullet">
/// <item><c>sphere20a</c>: sphereface_pytorch's <c>net_sphere.sphere20a</c> — conv1_1 … conv4_3 (Conv2d with biases,
/// also in the residual units), relu1_1 … relu4_3 (PReLU, one slope per channel), fc5 (Linear 512·7·6 → 512); fc6, the
/// margin classifier, is not part of the embedding. Its evaluation code feeds BGR images aligned with the template read
/// as OpenCV coordinates, so the channel order is folded into conv1_1 and the template origin is 0.</item>
/// </list>
/// </summary>
public static class TorchSphereNetImport
{
    /// <summary>The layouts that map.</summary>
    public static IReadOnlyList<string> Layouts { get; } = ["sphere20a"];

    /// <summary>Reads <paramref name="checkpoint"/> in <paramref name="layout"/>.</summary>
    /// <exception cref="ArgumentException">An unknown layout.</exception>
    /// <exception cref="FileNotFoundException">The checkpoint does not exist.</exception>
    /// <exception cref="InvalidDataException">A tensor is missing or has another shape; the message names it.</exception>
    public static ImportedNet Read(string checkpoint, string layout)
    {
        if (!Layouts.Contains(layout)) throw new ArgumentException($"Unknown layout '{layout}'; expected {string.Join(", ", Layouts)}.");
        if (!File.Exists(checkpoint)) throw new FileNotFoundException($"Checkpoint '{checkpoint}' does not exist.", checkpoint);
        var tensors = TorchCheckpointFile.Read(checkpoint).ToDictionary(t => t.Name, StringComparer.Ordinal);
        return Map(tensors, checkpoint, layout);
    }

    private static ImportedNet Map(Dictionary<string, NamedTensor> tensors, string checkpoint, string layout)
    {
        var config = new SphereNetConfig(20, ResidualBias: true);
        var store = new ParameterStore(0);
        foreach (var layer in SphereNetLayers.Of(config))
            foreach (var blob in layer.Blobs)
            {
                string key = $"{layer.Name}.{(blob.Index == 0 ? "weight" : "bias")}";
                if (!tensors.TryGetValue(key, out var t))
                    throw new InvalidDataException($"{checkpoint}: no tensor '{key}' (expected shape [{string.Join(",", TorchShape(layer, blob))}] for the {layout} layout).");
                if (!t.Shape.SequenceEqual(TorchShape(layer, blob)))
                    throw new InvalidDataException($"{checkpoint}: tensor '{key}' has shape [{string.Join(",", t.Shape)}]; the {layout} layout needs [{string.Join(",", TorchShape(layer, blob))}].");
                store.Add(new Parameter(blob.Name, blob.Shape, ImportedValues.Finite(t.Data, $"{checkpoint}: tensor '{key}'")));
            }
        ChannelOrder.BgrToRgb(store["conv1_1/weight"]);
        return new ImportedNet(config, store, $"torch:{layout}", [Path.GetFullPath(checkpoint)], TemplateOrigin: 0);
    }

    /// <summary>PyTorch's shape of a blob: PReLU weights are [C] where the project's slopes are [C, 1, 1].</summary>
    private static long[] TorchShape(SphereNetLayers.Layer layer, SphereNetLayers.Blob blob) =>
        layer.Kind == SphereNetLayers.Kind.PReLU ? [blob.Shape[0]] : blob.Shape;
}
