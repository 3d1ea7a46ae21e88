using SphereFace.Graphs.Building;
using SphereFace.Graphs.Losses;
using SphereFace.Graphs.Parameters;

namespace SphereFace.Graphs.TrainStep;

/// <summary>
/// Plain softmax head from standard ops (FC with bias + SoftmaxCrossEntropyLoss), used by the training step
/// until the official loss heads are available. Only <see cref="LossKind.Softmax"/>.
/// </summary>
internal static class InterimSoftmaxHead
{
    public static (string Loss, string Logits, string Accuracy) Append(GraphBuilder g, string feature, string label, int classes, LossConfig config, ParameterStore store)
    {
        if (config.Kind != LossKind.Softmax)
            throw new NotSupportedException($"Loss '{config.Kind}' is not available in this build; only Softmax.");
        long width = g.Info(feature).Shape[1];
        var w = store.GetOrCreate("fc6/weight", [classes, width], new Filler.Xavier());
        var b = store.GetOrCreate("fc6/bias", [classes], new Filler.Constant(0f), lrMult: 2f, decayMult: 0f);
        string logits = g.Node("Gemm", [feature, g.Parameter(w), g.Parameter(b)], [Attr.Int("transB", 1)], name: g.FreshName("fc6"));
        string loss = g.Node("SoftmaxCrossEntropyLoss", [logits, label], name: g.FreshName("softmax_loss"));
        string predicted = g.Node("ArgMax", [logits], [Attr.Int("axis", 1), Attr.Int("keepdims", 0)], name: g.FreshName("predicted"));
        string hit = g.Node("Cast", [g.Node("Equal", [predicted, label], name: g.FreshName("hit"))], [Attr.Int("to", (long)ElementType.Float)], name: g.FreshName("hit_float"));
        string accuracy = g.Node("ReduceMean", [hit], [Attr.Int("keepdims", 0)], name: g.FreshName("batch_accuracy"));
        return (loss, logits, accuracy);
    }
}
