using System.Globalization;
using System.Text;
using Google.Protobuf;
using SphereFace.Graphs.Import.Caffe.Schema;

namespace SphereFace.Tests.Import;

/// <summary>
/// Writes a SphereFace-N deploy prototxt in the layout of the original <c>sphereface_deploy.prototxt</c> (input_dim
/// lines, in-place PReLUs, Eltwise SUM residuals, fc5) and a caffemodel with random weights for it through the
/// project's caffe.proto subset; residual convolutions carry a zero bias blob, as the original's do.
/// </summary>
internal static class CaffeFiles
{
    private static readonly int[] Widths = [64, 128, 256, 512];

    public static int[] Units(int depth) => depth switch
    {
        4 => [0, 0, 0, 0], 10 => [0, 1, 2, 0], 20 => [1, 2, 4, 1], 36 => [2, 4, 8, 2], 64 => [3, 8, 16, 3],
        _ => throw new ArgumentOutOfRangeException(nameof(depth)),
    };

    /// <summary>(prototxt text, caffemodel) for SphereFace-<paramref name="depth"/>.</summary>
    public static (string Prototxt, NetParameter Model) Write(int depth, int seed)
    {
        var rng = new Random(seed);
        float Gaussian(double std) => (float)(std * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        BlobProto Blob(long[] shape, Func<float> value)
        {
            var b = new BlobProto { Shape = new BlobShape() };
            b.Shape.Dim.AddRange(shape);
            long n = shape.Aggregate(1L, (a, d) => a * d);
            for (long i = 0; i < n; i++) b.Data.Add(value());
            return b;
        }
        var text = new StringBuilder("name: \"SpherefaceNet\"\ninput: \"data\"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 112\ninput_dim: 96\n");
        var net = new NetParameter { Name = "SpherefaceNet" };
        string current = "data";
        long channels = 3;
        void Conv(string name, string bottom, long cin, long cout, int stride, bool residual)
        {
            text.Append(CultureInfo.InvariantCulture, $"layer {{\n  name: \"{name}\"\n  type: \"Convolution\"\n  bottom: \"{bottom}\"\n  top: \"{name}\"\n" +
                $"  convolution_param {{\n    num_output: {cout}\n    kernel_size: 3\n    stride: {stride}\n    pad: 1\n  }}\n}}\n");
            var layer = new LayerParameter { Name = name, Type = "Convolution", Bottom = { bottom }, Top = { name } };
            double std = Math.Sqrt(2.0 / (9 * cin)) * (residual ? 0.5 : 1);
            layer.Blobs.Add(Blob([cout, cin, 3, 3], () => Gaussian(std)));
            layer.Blobs.Add(Blob([cout], () => residual ? 0f : Gaussian(0.05)));
            net.Layer.Add(layer);
        }
        void PRelu(string name, string blob, long c)
        {
            text.Append(CultureInfo.InvariantCulture, $"layer {{\n  name: \"{name}\"\n  type: \"PReLU\"\n  bottom: \"{blob}\"\n  top: \"{blob}\"\n}}\n");
            var layer = new LayerParameter { Name = name, Type = "PReLU", Bottom = { blob }, Top = { blob } };
            layer.Blobs.Add(Blob([c], () => (float)(0.1 + 0.3 * rng.NextDouble())));
            net.Layer.Add(layer);
        }
        for (int s = 1; s <= 4; s++)
        {
            long width = Widths[s - 1];
            Conv($"conv{s}_1", current, channels, width, 2, residual: false);
            PRelu($"relu{s}_1", $"conv{s}_1", width);
            current = $"conv{s}_1";
            int index = 2;
            for (int u = 0; u < Units(depth)[s - 1]; u++)
            {
                string a = $"conv{s}_{index}", b = $"conv{s}_{index + 1}", res = $"res{s}_{index + 1}";
                Conv(a, current, width, width, 1, residual: true);
                PRelu($"relu{s}_{index}", a, width);
                Conv(b, a, width, width, 1, residual: true);
                PRelu($"relu{s}_{index + 1}", b, width);
                text.Append(CultureInfo.InvariantCulture, $"layer {{\n  name: \"{res}\"\n  type: \"Eltwise\"\n  bottom: \"{current}\"\n  bottom: \"{b}\"\n  top: \"{res}\"\n  eltwise_param {{ \n    operation: 1\n  }}\n}}\n");
                net.Layer.Add(new LayerParameter { Name = res, Type = "Eltwise", Bottom = { current, b }, Top = { res } });
                current = res;
                index += 2;
            }
            channels = width;
        }
        text.Append(CultureInfo.InvariantCulture, $"layer {{\n  name: \"fc5\"\n  type: \"InnerProduct\"\n  bottom: \"{current}\"\n  top: \"fc5\"\n  inner_product_param {{\n    num_output: 512\n  }}\n}}\n");
        var fc = new LayerParameter { Name = "fc5", Type = "InnerProduct", Bottom = { current }, Top = { "fc5" } };
        fc.Blobs.Add(Blob([512, 512 * 7 * 6], () => Gaussian(1 / Math.Sqrt(512 * 7 * 6))));
        fc.Blobs.Add(Blob([512], () => Gaussian(0.05)));
        net.Layer.Add(fc);
        return (text.ToString(), net);
    }

    /// <summary>Writes both files into <paramref name="folder"/>; returns their paths.</summary>
    public static (string Prototxt, string Caffemodel) Save(string folder, string prototxt, NetParameter model)
    {
        string p = Path.Combine(folder, "deploy.prototxt"), m = Path.Combine(folder, "model.caffemodel");
        File.WriteAllText(p, prototxt);
        File.WriteAllBytes(m, model.ToByteArray());
        return (p, m);
    }
}
