using Google.Protobuf;
using SphereFace.Graphs.Import.Caffe.Schema;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Parameters;

namespace SphereFace.Graphs.Import.Caffe;

/// <summary>
/// Reads a SphereFace net trained with the original Caffe code: the deploy prototxt gives the layer structure, which
/// must be a SphereNet (SF-4/10/20/36/64: Convolution, PReLU, Eltwise SUM and InnerProduct layers named and connected
/// as in the original <c>sphereface_deploy.prototxt</c>), and the caffemodel gives the blobs, taken by layer name.
/// The original feeds BGR images, so the channel permutation is folded into conv1_1's weights and the imported model
/// takes the project's RGB input.
/// </summary>
public static class CaffeSphereNetImport
{
    /// <summary>Reads the two files into SphereNet parameters.</summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, the structure is not a SphereNet, or a blob's shape
    /// differs from the one the net needs; the message names the file, the layer and what was expected.</exception>
    public static ImportedNet Read(string prototxtPath, string caffemodelPath)
    {
        if (!File.Exists(prototxtPath)) throw new FileNotFoundException($"Prototxt '{prototxtPath}' does not exist.", prototxtPath);
        if (!File.Exists(caffemodelPath)) throw new FileNotFoundException($"Caffe model '{caffemodelPath}' does not exist.", caffemodelPath);
        var deploy = Prototxt.Parse(File.ReadAllText(prototxtPath), prototxtPath);
        var config = CheckStructure(deploy, prototxtPath);
        var blobs = ReadBlobs(caffemodelPath);
        var store = new ParameterStore(0);
        foreach (var layer in SphereNetLayers.Of(config))
        {
            if (layer.Kind == SphereNetLayers.Kind.Eltwise) continue;
            if (!blobs.TryGetValue(layer.Name, out var layerBlobs))
                throw new InvalidDataException($"{caffemodelPath}: no layer '{layer.Name}' ({layer.CaffeType}) with weights.");
            string where = $"{caffemodelPath}: layer '{layer.Name}'";
            foreach (var blob in layer.Blobs)
            {
                bool isBias = blob.Name.EndsWith("/bias", StringComparison.Ordinal);
                if (blob.Index >= layerBlobs.Count)
                {
                    if (blob.Required) throw new InvalidDataException($"{where} has {layerBlobs.Count} blobs; blob {blob.Index} ({blob.Name}, shape [{string.Join(",", blob.Shape)}]) is missing.");
                    if (isBias && layer.HasBiasParameter) store.Add(new Parameter(blob.Name, blob.Shape, new float[blob.Count]));
                    continue;
                }
                var values = Values(layerBlobs[blob.Index], blob.Shape, $"{where}, blob {blob.Index}");
                if (isBias && !layer.HasBiasParameter)
                {
                    float max = values.Max(Math.Abs);
                    if (max != 0f)
                        throw new InvalidDataException($"{where}: a SphereNet's residual convolutions have no bias (the original trains it with lr_mult 0 from 0), but this one's is non-zero (max |b| = {max:G4}).");
                    continue;
                }
                store.Add(new Parameter(blob.Name, blob.Shape, values));
            }
        }
        ChannelOrder.BgrToRgb(store["conv1_1/weight"]);
        return new ImportedNet(config, store, "caffe", [Path.GetFullPath(prototxtPath), Path.GetFullPath(caffemodelPath)], TemplateOrigin: 1);
    }

    /// <summary>Checks the deploy prototxt against the SphereNet whose depth its convolution count gives.</summary>
    private static SphereNetConfig CheckStructure(TextMessage deploy, string source)
    {
        var layers = deploy.Messages("layer").ToList();
        if (layers.Count == 0)
            throw new InvalidDataException(deploy.Messages("layers").Count > 0
                ? $"{source}: the net uses Caffe's V1 'layers' encoding, whose layer types have no PReLU; not a SphereNet."
                : $"{source}: no 'layer' entries.");
        string input = deploy.Scalar("input") ?? "data";
        if (layers[0].Scalar("type") == "Input")
        {
            input = layers[0].Scalars("top") is { Count: > 0 } tops ? tops[0] : input;
            CheckInputShape(layers[0].Message("input_param")?.Message("shape")?.Scalars("dim"), source);
            layers.RemoveAt(0);
        }
        else CheckInputShape(deploy.Scalars("input_dim").Count > 0 ? deploy.Scalars("input_dim") : deploy.Message("input_shape")?.Scalars("dim"), source);

        foreach (var l in layers)
        {
            string type = l.Scalar("type") ?? "";
            if (type is not ("Convolution" or "PReLU" or "Eltwise" or "InnerProduct"))
                throw new InvalidDataException($"{source}: layer '{l.Scalar("name")}' has type '{type}'; a SphereNet has Convolution, PReLU, Eltwise and InnerProduct layers only.");
        }
        int convs = layers.Count(l => l.Scalar("type") == "Convolution");
        if (!SphereNetConfig.UnitsByDepth.ContainsKey(convs))
            throw new InvalidDataException($"{source}: {convs} Convolution layers; a SphereNet has 4, 10, 20, 36 or 64.");
        var config = new SphereNetConfig(convs);
        var expected = SphereNetLayers.Of(config);
        if (layers.Count != expected.Count)
            throw new InvalidDataException($"{source}: {layers.Count} layers after the input; SphereFace-{convs} has {expected.Count}.");

        string current = input;
        var skip = new Stack<string>();
        for (int i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            var l = layers[i];
            string name = l.Scalar("name") ?? "", type = l.Scalar("type") ?? "";
            string where = $"{source}: layer {i + 1} '{name}'";
            if (name != e.Name || type != e.CaffeType) throw new InvalidDataException($"{where} ({type}): expected '{e.Name}' ({e.CaffeType}) of a SphereFace-{convs}.");
            var bottoms = l.Scalars("bottom");
            var tops = l.Scalars("top");
            if (tops.Count != 1) throw new InvalidDataException($"{where}: expected one top, found {tops.Count}.");
            switch (e.Kind)
            {
                case SphereNetLayers.Kind.Convolution:
                    Expect(bottoms, [current], where);
                    var p = l.Message("convolution_param") ?? throw new InvalidDataException($"{where}: no convolution_param.");
                    if (e.StartsUnit) skip.Push(current);
                    CheckConv(p, e, where);
                    break;
                case SphereNetLayers.Kind.PReLU:
                    Expect(bottoms, [current], where);
                    if (l.Message("prelu_param")?.Scalar("channel_shared") == "true") throw new InvalidDataException($"{where}: channel_shared PReLU; a SphereNet has one slope per channel.");
                    break;
                case SphereNetLayers.Kind.Eltwise:
                    Expect(bottoms, [skip.Pop(), current], where);
                    var op = l.Message("eltwise_param");
                    if (op?.Scalar("operation") is { } o && o is not ("1" or "SUM")) throw new InvalidDataException($"{where}: Eltwise operation {o}; the residual connection is a SUM.");
                    if (op?.Scalars("coeff") is { Count: > 0 } c && c.Any(x => x != "1")) throw new InvalidDataException($"{where}: Eltwise coefficients {string.Join(",", c)}; expected none (all 1).");
                    break;
                case SphereNetLayers.Kind.InnerProduct:
                    Expect(bottoms, [current], where);
                    long outputs = l.Message("inner_product_param")?.Integer("num_output", 0) ?? 0;
                    if (outputs != config.EmbeddingSize) throw new InvalidDataException($"{where}: num_output {outputs}; expected {config.EmbeddingSize}.");
                    break;
            }
            current = tops[0];
        }
        return config;
    }

    private static void CheckInputShape(IReadOnlyList<string>? dims, string source)
    {
        if (dims is null || dims.Count != 4 || dims[1] != "3" || dims[2] != "112" || dims[3] != "96")
            throw new InvalidDataException($"{source}: input shape [{string.Join(",", dims ?? [])}]; a SphereNet takes [N,3,112,96].");
    }

    private static void CheckConv(TextMessage p, SphereNetLayers.Layer e, string where)
    {
        long Single(string field, long fallback)
        {
            var v = p.Scalars(field);
            if (v.Count > 1 && v.Distinct().Count() > 1) throw new InvalidDataException($"{where}: {field} differs by axis ({string.Join(",", v)}); expected {fallback} for both.");
            return v.Count == 0 ? fallback
                : long.TryParse(v[0], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long n) ? n
                : throw new InvalidDataException($"{where}: {field} is '{v[0]}'; expected an integer.");
        }
        var actual = (Outputs: p.Integer("num_output", 0), Kernel: Single("kernel_size", 0), Stride: Single("stride", 1), Pad: Single("pad", 0), Group: p.Integer("group", 1));
        var wanted = (Outputs: e.Outputs, Kernel: 3L, Stride: (long)e.Stride, Pad: 1L, Group: 1L);
        if (actual != wanted)
            throw new InvalidDataException($"{where}: num_output {actual.Outputs}, kernel {actual.Kernel}, stride {actual.Stride}, pad {actual.Pad}, group {actual.Group}; " +
                                           $"expected num_output {wanted.Outputs}, kernel 3, stride {wanted.Stride}, pad 1, group 1.");
    }

    private static void Expect(IReadOnlyList<string> bottoms, string[] wanted, string where)
    {
        if (bottoms.Count != wanted.Length || !bottoms.OrderBy(b => b, StringComparer.Ordinal).SequenceEqual(wanted.OrderBy(b => b, StringComparer.Ordinal)))
            throw new InvalidDataException($"{where}: bottom {string.Join(", ", bottoms.Select(b => $"'{b}'"))}; expected {string.Join(", ", wanted.Select(b => $"'{b}'"))}.");
    }

    private static Dictionary<string, IReadOnlyList<BlobProto>> ReadBlobs(string path)
    {
        NetParameter net;
        try { net = NetParameter.Parser.ParseFrom(File.ReadAllBytes(path)); }
        catch (InvalidProtocolBufferException e) { throw new InvalidDataException($"{path}: not a Caffe model (NetParameter): {e.Message}", e); }
        if (net.Layer.Count == 0)
            throw new InvalidDataException(net.Layers.Count > 0
                ? $"{path}: the model uses Caffe's V1 'layers' encoding, whose layer types have no PReLU; not a SphereNet."
                : $"{path}: no layers with weights (not a Caffe model?).");
        var byName = new Dictionary<string, IReadOnlyList<BlobProto>>(StringComparer.Ordinal);
        foreach (var l in net.Layer) if (l.Blobs.Count > 0) byName[l.Name] = l.Blobs;
        return byName;
    }

    /// <summary>A blob's values, checked against <paramref name="shape"/> (Caffe's shape, or legacy num/channels/height/width).</summary>
    private static float[] Values(BlobProto blob, long[] shape, string where)
    {
        long[] dims = blob.Shape is { } s ? [.. s.Dim]
            : new long[] { blob.Num, blob.Channels, blob.Height, blob.Width }.SkipWhile(d => d <= 1).ToArray();
        long count = shape.Aggregate(1L, (a, d) => a * d);
        var squeezed = dims.Where(d => d != 1).ToArray();
        if (!squeezed.SequenceEqual(shape.Where(d => d != 1)))
            throw new InvalidDataException($"{where}: shape [{string.Join(",", dims)}]; expected [{string.Join(",", shape.Where(d => d != 1))}].");
        float[] values = blob.Data.Count == count ? [.. blob.Data]
            : blob.DoubleData.Count == count ? blob.DoubleData.Select(d => (float)d).ToArray()
            : throw new InvalidDataException($"{where}: {Math.Max(blob.Data.Count, blob.DoubleData.Count)} values for shape [{string.Join(",", dims)}] ({count} expected).");
        return ImportedValues.Finite(values, where);
    }
}
