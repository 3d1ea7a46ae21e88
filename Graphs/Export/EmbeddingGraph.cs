using SphereFace.Graphs.Building;
using SphereFace.Graphs.Nets;
using SphereFace.Models.Onnx;
using SphereFace.Graphs.Parameters;
using SphereFace.Models;

namespace SphereFace.Graphs.Export;

/// <summary>
/// The frozen embedding graph: the training forward graph with the weights as initializers, a dynamic batch
/// axis, and the input contract in the metadata.
/// </summary>
public static class EmbeddingGraph
{
    /// <summary>
    /// Builds the embedding model for <paramref name="config"/> with weights from <paramref name="store"/>; the input
    /// contract is the project's unless <paramref name="contract"/> gives another (an imported model's preprocessing).
    /// </summary>
    public static ModelProto Build(SphereNetConfig config, ParameterStore store, InputContract? contract = null)
    {
        contract ??= new InputContract(EmbeddingSize: config.EmbeddingSize);
        var g = new GraphBuilder($"{config.Name}_embedding");
        string data = g.Input(contract.InputName, ElementType.Float, TensorInfo.Dynamic, 3, contract.Height, contract.Width);
        string feature = SphereNet.Forward(g, data, config, store);
        g.Output(feature, contract.OutputName);
        foreach (var (k, v) in contract.ToMetadata()) g.Metadata[k] = v;
        g.Metadata[InputContract.Prefix + "net"] = config.Name;
        g.Metadata[InputContract.Prefix + "last_relu"] = config.LastRelu ? "true" : "false";
        return g.ToModel($"SphereFace {config.Name} embedding. Input: {contract.Describe()}.");
    }
}
