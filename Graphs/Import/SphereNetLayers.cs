using SphereFace.Graphs.Nets;

namespace SphereFace.Graphs.Import;

/// <summary>
/// A SphereNet's layers in the original Caffe deploy file's order and names (conv1_1, relu1_1, conv1_2, …, res1_3, …,
/// fc5), each with the project parameters its blobs hold: the one description both importers match against.
/// </summary>
public static class SphereNetLayers
{
    /// <summary>What a layer computes.</summary>
    public enum Kind
    {
        /// <summary>A 3×3 or 1×1 convolution with bias.</summary>
        Convolution,
        /// <summary>A channel-wise PReLU.</summary>
        PReLU,
        /// <summary>The element-wise sum of a residual unit.</summary>
        Eltwise,
        /// <summary>The fully connected embedding layer.</summary>
        InnerProduct,
    }

    /// <summary>A project parameter a layer's blob fills.</summary>
    /// <param name="Name">Parameter name, e.g. <c>conv1_1/weight</c>.</param>
    /// <param name="Shape">Its shape in the project's net.</param>
    /// <param name="Index">Which of the layer's blobs holds it.</param>
    /// <param name="Required">False for a bias: a missing one is zero.</param>
    public sealed record Blob(string Name, long[] Shape, int Index, bool Required)
    {
        /// <summary>Number of values.</summary>
        public long Count => Shape.Aggregate(1L, (a, d) => a * d);
    }

    /// <summary>One layer.</summary>
    /// <param name="Name">Layer name in the original files.</param>
    /// <param name="Kind">What it computes.</param>
    /// <param name="Outputs">Output channels (features for fc5).</param>
    /// <param name="Stride">Convolution stride.</param>
    /// <param name="StartsUnit">A convolution whose input is the residual unit's skip connection.</param>
    /// <param name="HasBiasParameter">False for the residual convolutions unless <see cref="SphereNetConfig.ResidualBias"/>:
    /// the project's net has no bias there (the original Caffe net keeps a bias blob fixed at 0).</param>
    /// <param name="Blobs">The parameters its blobs hold.</param>
    public sealed record Layer(string Name, Kind Kind, long Outputs, int Stride, bool StartsUnit, bool HasBiasParameter, IReadOnlyList<Blob> Blobs)
    {
        /// <summary>Caffe's type name.</summary>
        public string CaffeType => Kind.ToString();
    }

    /// <summary>The layers of <paramref name="config"/>'s net, in order.</summary>
    public static IReadOnlyList<Layer> Of(SphereNetConfig config)
    {
        var layers = new List<Layer>();
        long channels = 3;
        for (int stage = 1; stage <= 4; stage++)
        {
            long width = SphereNetConfig.Widths[stage - 1];
            int index = 1;
            void ConvPRelu(long cin, int stride, bool residual, bool startsUnit)
            {
                string conv = $"conv{stage}_{index}", relu = $"relu{stage}_{index}";
                layers.Add(new Layer(conv, Kind.Convolution, width, stride, startsUnit, !residual || config.ResidualBias,
                    [new($"{conv}/weight", [width, cin, 3, 3], 0, true), new($"{conv}/bias", [width], 1, false)]));
                layers.Add(new Layer(relu, Kind.PReLU, width, 1, false, false, [new($"{relu}/slope", [width, 1, 1], 0, true)]));
                index++;
            }
            ConvPRelu(channels, 2, residual: false, startsUnit: false);
            for (int u = 0; u < config.Units[stage - 1]; u++)
            {
                ConvPRelu(width, 1, residual: true, startsUnit: true);
                ConvPRelu(width, 1, residual: true, startsUnit: false);
                layers.Add(new Layer($"res{stage}_{index - 1}", Kind.Eltwise, width, 1, false, false, []));
            }
            channels = width;
        }
        long flat = channels * 7 * 6;
        layers.Add(new Layer("fc5", Kind.InnerProduct, config.EmbeddingSize, 1, false, true,
            [new("fc5/weight", [config.EmbeddingSize, flat], 0, true), new("fc5/bias", [config.EmbeddingSize], 1, false)]));
        return layers;
    }
}
