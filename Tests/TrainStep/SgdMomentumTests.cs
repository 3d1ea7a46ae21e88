using SphereFace.Graphs.TrainStep;
using SphereFace.Graphs.Building;
using SphereFace.Graphs.Optimizers;
using SphereFace.Graphs.Parameters;
using SphereFace.Tests.Autodiff;
using SphereFace.Models.Onnx;

namespace SphereFace.Tests.TrainStep;

/// <summary>
/// <see cref="SgdMomentum"/> against Caffe's update in double precision, with the weight decay folded into the
/// gradient's Gemm (a fully connected layer's weight gradient) and added separately (any other gradient).
/// </summary>
[TestClass]
public sealed class SgdMomentumTests
{
    private const int M = 3, K = 4, N = 5;
    private const float Decay = 0.3f, Momentum = 0.9f, Lr = 0.05f;

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void UpdateFollowsCaffeWithDecay(bool gradientIsGemm)
    {
        var g = new GraphBuilder("sgd", ParameterMode.Inputs);
        var a = g.Input("a", ElementType.Float, K, M);
        var b = g.Input("b", ElementType.Float, K, N);
        var w = g.Input("w", ElementType.Float, M, N);
        var v = g.Input("v", ElementType.Float, M, N);
        var lr = g.Input("lr", ElementType.Float);
        // The gradient aᵀ·b, either straight from a Gemm or passed through an Identity.
        var product = g.Node("Gemm", [a, b], [Attr.Int("transA", 1)]);
        var grad = gradientIsGemm ? product : g.Node("Identity", [product]);
        var (nextW, nextV) = SgdMomentum.Append(g, w, grad, v, lr, new SolverSpec { Momentum = Momentum, WeightDecay = Decay }, 1f, "next_w", "next_v");
        g.Output(nextW);
        g.Output(nextV);
        var model = g.ToModel();
        var gemm = model.Graph.Node.Single(n => n.OpType == "Gemm");
        Assert.AreEqual(gradientIsGemm ? 3 : 2, gemm.Input.Count, "decay folded into the Gemm exactly when it produces the gradient");
        Assert.AreEqual(gradientIsGemm ? 0 : 1, model.Graph.Node.Count(n => n.Name.EndsWith("/decay")));

        var rng = new SeededRandom(4);
        float[] Random(int count) => Enumerable.Range(0, count).Select(_ => (float)rng.Uniform(-1, 1)).ToArray();
        float[] av = Random(K * M), bv = Random(K * N), wv = Random(M * N), vv = Random(M * N);
        using var ort = new OrtModel(model);
        var outs = ort.Run(new Dictionary<string, (long[], Array)>
        {
            ["a"] = ([K, M], av), ["b"] = ([K, N], bv), ["w"] = ([M, N], wv), ["v"] = ([M, N], vv), ["lr"] = ([], new[] { Lr }),
        }, ["next_w", "next_v"]);
        for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++)
        {
            double gradient = 0;
            for (int k = 0; k < K; k++) gradient += (double)av[k * M + i] * bv[k * N + j];
            int at = i * N + j;
            double vNext = Momentum * vv[at] + Lr * (gradient + Decay * wv[at]);
            Assert.AreEqual(vNext, outs[1][at], 1e-6, $"v'[{i},{j}]");
            Assert.AreEqual(wv[at] - vNext, outs[0][at], 1e-6, $"w'[{i},{j}]");
        }
    }
}
