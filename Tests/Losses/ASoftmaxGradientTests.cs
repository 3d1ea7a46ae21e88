using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Graphs.Losses;
using SphereFace.Graphs.Parameters;
using SphereFace.Tests.Native;
using SphereFace.Models.Onnx;

namespace SphereFace.Tests.Losses;

/// <summary>The A-Softmax head differentiated by the autodiff: Psi → PsiGrad with the plugin, standard ops with the twin.</summary>
[TestClass]
public sealed class ASoftmaxGradientTests
{
    private const int Classes = 6, Width = 8, Batch = 7;

    private static (GraphSession Session, string Weight) Build(int m, bool plugin, ParameterStore store)
    {
        var g = new GraphBuilder("asoftmax", ParameterMode.Inputs);
        string feature = g.Input("feature", ElementType.Float, Batch, Width);
        string label = g.Input("label", ElementType.Int64, Batch);
        string lambda = g.Input("lambda", ElementType.Float);
        var outs = LossHeads.Append(g, feature, label, lambda, Classes, TestLoss.Of("asoftmax", m: m, plugin: plugin), store);
        var grads = ReverseMode.Differentiate(g, outs.Loss, ["feature", Classifier.WeightName]);
        g.Output(outs.Loss, "loss");
        g.Output(grads["feature"]!, "d_feature");
        g.Output(grads[Classifier.WeightName]!, "d_weight");
        Assert.AreEqual(plugin, g.Nodes.Any(n => n.OpType == "PsiGrad"), "PsiGrad appears exactly when the plugin is used");
        return (new GraphSession(g.ToModel(), plugin), Classifier.WeightName);
    }

    [TestMethod]
    public void PluginAndTwinGradientsAgreeAndMatchFiniteDifferences()
    {
        var rng = new SeededRandom(41);
        for (int m = 1; m <= 4; m++)
        {
            var store = new ParameterStore(2);
            var (pluginSession, weightName) = Build(m, true, store);
            var (twinSession, _) = Build(m, false, store);
            using (pluginSession)
            using (twinSession)
            {
                float[] weight = store[weightName].Data;
                foreach (float lambda in new[] { 0f, 5f, 1000f })
                {
                    float[] feature = Enumerable.Range(0, Batch * Width).Select(_ => (float)(rng.NextGaussian() * 1.5)).ToArray();
                    long[] label = Enumerable.Range(0, Batch).Select(_ => (long)rng.NextInt(Classes)).ToArray();
                    Dictionary<string, float[]> Run(GraphSession s) => s.Run(("feature", feature, [Batch, Width]), ("label", label, [Batch]),
                        ("lambda", new[] { lambda }, []), (weightName, weight, [Classes, Width]));
                    var a = Run(pluginSession);
                    var b = Run(twinSession);
                    for (int i = 0; i < a["d_feature"].Length; i++) Assert.AreEqual(b["d_feature"][i], a["d_feature"][i], 1e-6, $"m={m} λ={lambda} d feature [{i}]");
                    for (int i = 0; i < a["d_weight"].Length; i++) Assert.AreEqual(b["d_weight"][i], a["d_weight"][i], 1e-6, $"m={m} λ={lambda} d weight [{i}]");

                    const float eps = 5e-3f;
                    for (int k = 0; k < feature.Length; k += 5)
                    {
                        float saved = feature[k];
                        feature[k] = saved + eps;
                        double plus = Run(pluginSession)["loss"][0];
                        feature[k] = saved - eps;
                        double minus = Run(pluginSession)["loss"][0];
                        feature[k] = saved;
                        double fd = (plus - minus) / (2 * eps);
                        Assert.AreEqual(fd, a["d_feature"][k], 2e-3 + 2e-2 * Math.Abs(fd), $"m={m} λ={lambda} d feature [{k}] vs finite difference");
                    }
                }
            }
        }
    }
}
