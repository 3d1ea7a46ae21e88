using SphereFace.Graphs.Building;
using SphereFace.Models.Onnx;
using SphereFace.Graphs.TrainStep;
using SphereFace.Training.Session;

namespace SphereFace.Tests.Training;

/// <summary>
/// A small hand-built training-step model with the train-step I/O contract: linear least squares
/// (prediction data·w + b against the label as a float target) trained by Caffe-style momentum SGD.
/// λ is used as the weight decay of w (so the test sees that λ reaches the graph); the bias has lr×2 and no
/// decay; <c>state/steps</c> counts steps. <see cref="Reference"/> is the same update in double precision.
/// </summary>
internal static class LinearSgdStepModel
{
    public const float Momentum = 0.9f;

    /// <summary>The model's I/O contract: data [batch, features], parameters w and b, their momenta, and the step count.</summary>
    public static TrainStepContract Contract(int batch, int features) => new(batch,
    [
        new("w", [features, 1], CarriedKind.Parameter), new("b", [1, 1], CarriedKind.Parameter),
        new("momentum/w", [features, 1], CarriedKind.Momentum), new("momentum/b", [1, 1], CarriedKind.Momentum),
        new("state/steps", [1], CarriedKind.State),
    ], [batch, features]);

    /// <summary>A session over the model with its contract.</summary>
    public static TrainStepSession Session(int batch, int features, TrainSessionOptions options) =>
        new(Build(batch, features), Contract(batch, features), options, "linear_sgd_step");

    public static ModelProto Build(int batch, int features)
    {
        var g = new GraphBuilder("linear_sgd_step", ParameterMode.Inputs);
        string data = g.Input("data", ElementType.Float, batch, features);
        string label = g.Input("label", ElementType.Int64, batch);
        string lr = g.Input("lr", ElementType.Float);
        string lambda = g.Input("lambda", ElementType.Float);
        string w = g.Input("w", ElementType.Float, features, 1);
        string b = g.Input("b", ElementType.Float, 1, 1);
        string vw = g.Input("momentum/w", ElementType.Float, features, 1);
        string vb = g.Input("momentum/b", ElementType.Float, 1, 1);
        string steps = g.Input("state/steps", ElementType.Float, 1);

        string y = g.Node("Reshape", [g.Node("Cast", [label], [Attr.Int("to", (long)ElementType.Float)]), g.ConstInts(batch, 1)]);
        string pred = g.Node("Add", [g.Node("MatMul", [data, w]), b]);
        string r = g.Node("Sub", [pred, y]);
        string loss = g.Node("ReduceMean", [g.Node("Mul", [r, r])], [Attr.Int("keepdims", 0)]);
        string hit = g.Node("Cast", [g.Node("Less", [g.Node("Abs", [r]), g.Const(0.5f)])], [Attr.Int("to", (long)ElementType.Float)]);
        string accuracy = g.Node("ReduceMean", [hit], [Attr.Int("keepdims", 0)]);

        string gr = g.Node("Mul", [r, g.Const(2f / batch)]);
        string gw = g.Node("MatMul", [g.Node("Transpose", [data], [Attr.Ints("perm", 1, 0)]), gr]);
        string gb = g.Node("ReduceSum", [gr, g.ConstInts(0)], [Attr.Int("keepdims", 1)]);

        // Caffe SGD: v' = μ·v + lr·lr_mult·(g + decay·decay_mult·w);  w' = w − v'.
        string vwNext = g.Node("Add", [g.Node("Mul", [vw, g.Const(Momentum)]),
            g.Node("Mul", [lr, g.Node("Add", [gw, g.Node("Mul", [lambda, w])])])]);
        string vbNext = g.Node("Add", [g.Node("Mul", [vb, g.Const(Momentum)]),
            g.Node("Mul", [g.Node("Mul", [lr, g.Const(2f)]), gb])]);
        g.Output(loss, "loss");
        g.Output(accuracy, "accuracy");
        g.Output(g.Node("Sub", [w, vwNext]), "next/w");
        g.Output(g.Node("Sub", [b, vbNext]), "next/b");
        g.Output(vwNext, "next/momentum/w");
        g.Output(vbNext, "next/momentum/b");
        g.Output(g.Node("Add", [steps, g.Const(1f)]), "next/state/steps");
        return g.ToModel();
    }

    /// <summary>Double-precision state of the reference.</summary>
    public sealed class Reference(double[] w, double b)
    {
        public double[] W { get; } = w;
        public double B { get; set; } = b;
        public double[] Vw { get; } = new double[w.Length];
        public double Vb { get; set; }
        public double Steps { get; set; }

        /// <summary>One SGD step; returns (loss, accuracy) of the batch before the update.</summary>
        public (double Loss, double Accuracy) Step(float[] data, long[] labels, double lr, double lambda)
        {
            int n = labels.Length, d = W.Length;
            var r = new double[n];
            double loss = 0, hits = 0;
            for (int i = 0; i < n; i++)
            {
                double p = B;
                for (int j = 0; j < d; j++) p += data[i * d + j] * W[j];
                r[i] = p - labels[i];
                loss += r[i] * r[i];
                if (Math.Abs(r[i]) < 0.5) hits++;
            }
            var gw = new double[d];
            double gb = 0;
            for (int i = 0; i < n; i++)
            {
                double gi = 2.0 * r[i] / n;
                gb += gi;
                for (int j = 0; j < d; j++) gw[j] += data[i * d + j] * gi;
            }
            for (int j = 0; j < d; j++)
            {
                Vw[j] = Momentum * Vw[j] + lr * (gw[j] + lambda * W[j]);
                W[j] -= Vw[j];
            }
            Vb = Momentum * Vb + lr * 2 * gb;
            B -= Vb;
            Steps += 1;
            return (loss / n, hits / n);
        }
    }
}
