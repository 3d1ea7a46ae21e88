using System.Text.Json.Nodes;
using SphereFace.Graphs.Export;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Parameters;
using SphereFace.Models;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Import;

/// <summary>
/// A net read from another framework's files: its configuration and parameters under the project's names, ready to be
/// written as an <c>embedding.onnx</c> whose input contract records the original preprocessing.
/// </summary>
/// <param name="Config">The SphereNet it is.</param>
/// <param name="Parameters">Every parameter of that net.</param>
/// <param name="Source">Where it came from: <c>caffe</c>, <c>torch:sphere20a</c>, ….</param>
/// <param name="Files">The files read.</param>
/// <param name="TemplateOrigin">How the original's alignment reads the template: 1 for the MATLAB code of the Caffe
/// release, 0 for ports that align with OpenCV.</param>
public sealed record ImportedNet(SphereNetConfig Config, ParameterStore Parameters, string Source, IReadOnlyList<string> Files, int TemplateOrigin)
{
    /// <summary>
    /// The original preprocessing, which the imported models keep: RGB input (a BGR-trained first convolution has its
    /// input channels reversed on import), (p − 127.5)/128, the 112×96 crop, the template read as the original's
    /// alignment reads it.
    /// </summary>
    public InputContract Contract => new(EmbeddingSize: Config.EmbeddingSize, TemplateOrigin: TemplateOrigin);

    /// <summary>The embedding graph with the weights, the contract and the provenance in its metadata.</summary>
    /// <exception cref="InvalidOperationException">A parameter of the net is missing (a bug in the importer).</exception>
    public ModelProto ToModel()
    {
        int before = Parameters.All.Count;
        var model = EmbeddingGraph.Build(Config, Parameters, Contract);
        if (Parameters.All.Count != before)
            throw new InvalidOperationException($"The importer left {Parameters.All.Count - before} parameters of {Config.Name} unset.");
        model.MetadataProps.Add(new StringStringEntryProto { Key = InputContract.Prefix + "imported_from", Value = $"{Source}: {string.Join(", ", Files.Select(Path.GetFileName))}" });
        return model;
    }

    /// <summary>Writes <c>embedding.onnx</c> and <c>manifest.json</c> (with an <c>import</c> section) into <paramref name="folder"/>.</summary>
    public string Save(string folder)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, GraphFolder.EmbeddingFile);
        ModelFile.Save(ToModel(), path);
        var manifest = new Manifest
        {
            Net = Config.Name, Classes = 0, Seed = 0, BackboneParameters = Parameters.TotalCount, EmbeddingSize = Config.EmbeddingSize, Input = Contract,
            Files = { ["embedding"] = GraphFolder.EmbeddingFile },
            Sections = { ["import"] = new JsonObject { ["source"] = Source, ["files"] = new JsonArray(Files.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray()) } },
        };
        manifest.Save(folder);
        return path;
    }
}
