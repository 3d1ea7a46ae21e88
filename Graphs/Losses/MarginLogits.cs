using SphereFace.Graphs.Building;

namespace SphereFace.Graphs.Losses;

/// <summary>The margin logits the A-Softmax and AM-Softmax families share (their IR-Softmax variants included).</summary>
public static class MarginLogits
{
    /// <summary>
    /// A-Softmax logits from unit class directions <paramref name="directions"/> [C, D]: ‖x‖cos θ_j with the target
    /// entry (λ‖x‖cos θ_y + ‖x‖ψ(θ_y)) / (1 + λ), ψ from the plugin or its pure-ONNX twin (<paramref name="usePlugin"/>).
    /// </summary>
    public static string ASoftmax(LossInputs inputs, string index, int m, bool usePlugin, string directions)
    {
        var g = inputs.Graph;
        string plain = Classifier.Project(g, inputs.Feature, directions);                       // ‖x‖cos θ_j
        string norm = Classifier.RowNorm(g, inputs.Feature);                                    // ‖x‖ [B,1]
        string oldTarget = TargetLogits.Gather(g, plain, index);                                // ‖x‖cos θ_y
        string cosTarget = g.Node("Div", [oldTarget, norm]);
        string psi = MarginFunction.Psi(g, cosTarget, m, usePlugin);
        // (λ cos θ + ψ) / (1 + λ), scaled by ‖x‖.
        string mixed = g.Node("Div", [g.Node("Add", [g.Node("Mul", [inputs.Lambda, cosTarget]), psi]), g.Node("Add", [inputs.Lambda, g.Const(1f)])]);
        string newTarget = g.Node("Mul", [norm, mixed]);
        return TargetLogits.Replace(g, plain, TargetLogits.OneHot(g, inputs.Label, inputs.Classes), oldTarget, newTarget);
    }

    /// <summary>AM-Softmax logits s·(cos θ_j − m·[j = y]) from the normalised feature and unit class directions [C, D].</summary>
    public static string AMSoftmax(LossInputs inputs, float margin, float scale, string directions)
    {
        var g = inputs.Graph;
        string unit = g.Node("Div", [inputs.Feature, Classifier.RowNorm(g, inputs.Feature)]);
        string cos = Classifier.Project(g, unit, directions);
        string offset = g.Node("Mul", [TargetLogits.OneHot(g, inputs.Label, inputs.Classes), g.Const(margin)]);
        return g.Node("Mul", [g.Node("Sub", [cos, offset]), g.Const(scale)]);
    }

    /// <summary>The logits' loss outputs: mean softmax cross-entropy against the label and top-1 accuracy.</summary>
    public static LossOutputs Outputs(LossInputs inputs, string logits, string index) =>
        new(CrossEntropy.MeanLoss(inputs.Graph, logits, index), logits, CrossEntropy.Accuracy(inputs.Graph, logits, inputs.Label));

    /// <summary>Throws unless the AM-Softmax margin is finite and ≥ 0 and the scale finite and > 0.</summary>
    public static void CheckAm(float margin, float scale)
    {
        if (!float.IsFinite(margin) || margin < 0) throw new Models.Errors.InputException($"loss.margin (AM-Softmax m) must be a finite number ≥ 0, got {margin}.");
        if (!float.IsFinite(scale) || scale <= 0) throw new Models.Errors.InputException($"loss.scale (AM-Softmax s) must be a finite number > 0, got {scale}.");
    }
}
