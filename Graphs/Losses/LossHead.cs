using SphereFace.Graphs.Building;
using SphereFace.Graphs.Parameters;

namespace SphereFace.Graphs.Losses;

/// <summary>
/// Appends a classification loss head to a feature: classifier weights, the head's logits, mean softmax
/// cross-entropy and top-1 accuracy. With θ_j the angle between x and class weight w_j:
/// <list type="bullet">
/// <item>softmax: logits x·w_j + b_j;</item>
/// <item>modified: ‖x‖cos θ_j (rows of W normalised in the graph every step, no bias);</item>
/// <item>A-Softmax: ‖x‖cos θ_j, the target replaced by (λ‖x‖cos θ_y + ‖x‖ψ(θ_y)) / (1 + λ);</item>
/// <item>AM-Softmax: s·cos θ_j, the target s·(cos θ_y − m) (features and weights normalised);</item>
/// <item>IR-Softmax(A) / IR-Softmax(AM): A-Softmax / AM-Softmax with class centres as weights (<see cref="IRSoftmaxHead"/>).</item>
/// </list>
/// A zero feature row gives NaN logits for the normalised heads; NaN features give a NaN loss; a label outside
/// [0, classes) makes the run fail with an out-of-range GatherElements error.
/// </summary>
public static class LossHead
{
    /// <summary>
    /// Appends the head selected by <paramref name="config"/>. <paramref name="feature"/>: [B, D] float;
    /// <paramref name="label"/>: [B] int64; <paramref name="lambda"/>: float scalar graph value (A-Softmax
    /// annealing, unused by the other heads). Classifier weights come from (or are created in) <paramref name="store"/>.
    /// IR-Softmax heads may declare state inputs (see <see cref="LossOutputs.State"/>).
    /// </summary>
    public static LossOutputs Append(GraphBuilder g, string feature, string label, string lambda, int classes, LossConfig config, ParameterStore store)
    {
        ArgumentNullException.ThrowIfNull(config);
        Validate(g, feature, label, lambda, classes, config);
        long width = g.Info(feature).Shape[1];
        using var _ = g.Scope("loss");
        if (config.Kind is LossKind.IRSoftmaxA or LossKind.IRSoftmaxAM)
            return IRSoftmaxHead.Append(g, feature, label, lambda, classes, config, store);
        string index = TargetLogits.Index(g, label, classes);
        string logits = config.Kind switch
        {
            LossKind.Softmax => Classifier.Project(g, feature, Classifier.Weight(g, store, classes, width), config.ClassifierBias ? Classifier.Bias(g, store, classes) : null),
            LossKind.Modified => Classifier.Project(g, feature, Classifier.NormalisedRows(g, Classifier.Weight(g, store, classes, width))),
            LossKind.ASoftmax => ASoftmaxLogits(g, feature, label, index, lambda, classes, config,
                Classifier.NormalisedRows(g, Classifier.Weight(g, store, classes, width))),
            LossKind.AMSoftmax => AMSoftmaxLogits(g, feature, label, classes, config,
                Classifier.NormalisedRows(g, Classifier.Weight(g, store, classes, width))),
            _ => throw new NotSupportedException($"Loss '{config.Kind}' has no head."),
        };
        return new LossOutputs(CrossEntropy.MeanLoss(g, logits, index), logits, CrossEntropy.Accuracy(g, logits, label));
    }

    /// <summary>
    /// A-Softmax logits from unit class directions <paramref name="directions"/> [C, D]: ‖x‖cos θ_j with the target
    /// entry (λ‖x‖cos θ_y + ‖x‖ψ(θ_y)) / (1 + λ).
    /// </summary>
    public static string ASoftmaxLogits(GraphBuilder g, string feature, string label, string index, string lambda, int classes, LossConfig config, string directions)
    {
        string plain = Classifier.Project(g, feature, directions);                             // ‖x‖cos θ_j
        string norm = Classifier.RowNorm(g, feature);                                          // ‖x‖ [B,1]
        string oldTarget = TargetLogits.Gather(g, plain, index);                               // ‖x‖cos θ_y
        string cosTarget = g.Node("Div", [oldTarget, norm]);
        string psi = MarginFunction.Psi(g, cosTarget, config.M, config.UsePlugin);
        // (λ cos θ + ψ) / (1 + λ), scaled by ‖x‖.
        string mixed = g.Node("Div", [g.Node("Add", [g.Node("Mul", [lambda, cosTarget]), psi]), g.Node("Add", [lambda, g.Const(1f)])]);
        string newTarget = g.Node("Mul", [norm, mixed]);
        return TargetLogits.Replace(g, plain, TargetLogits.OneHot(g, label, classes), oldTarget, newTarget);
    }

    /// <summary>AM-Softmax logits s·(cos θ_j − m·[j = y]) from the normalised feature and unit class directions [C, D].</summary>
    public static string AMSoftmaxLogits(GraphBuilder g, string feature, string label, int classes, LossConfig config, string directions)
    {
        string unit = g.Node("Div", [feature, Classifier.RowNorm(g, feature)]);
        string cos = Classifier.Project(g, unit, directions);
        string margin = g.Node("Mul", [TargetLogits.OneHot(g, label, classes), g.Const(config.AmMargin)]);
        return g.Node("Mul", [g.Node("Sub", [cos, margin]), g.Const(config.AmScale)]);
    }

    /// <summary>
    /// Rows of <paramref name="value"/> [N, D] renormalised to unit length — what a training step applies to every
    /// parameter in <see cref="LossOutputs.UnitRowParameters"/> after its update.
    /// </summary>
    public static string UnitRows(GraphBuilder g, string value) => Classifier.NormalisedRows(g, value);

    private static void Validate(GraphBuilder g, string feature, string label, string lambda, int classes, LossConfig config)
    {
        var f = g.Info(feature);
        if (f.Type != ElementType.Float || f.Rank != 2 || f.Shape[1] <= 0)
            throw new ArgumentException($"Loss head: feature '{feature}' must be float [B, D] with a known D, got {f}.");
        var l = g.Info(label);
        if (l.Type != ElementType.Int64 || l.Rank != 1)
            throw new ArgumentException($"Loss head: label '{label}' must be int64 [B], got {l}.");
        var lam = g.Info(lambda);
        if (lam.Type != ElementType.Float || lam.Rank != 0)
            throw new ArgumentException($"Loss head: lambda '{lambda}' must be a float scalar, got {lam}.");
        if (classes < 2) throw new ArgumentException($"Loss head: classes must be at least 2, got {classes}.");
        if (config.Kind is LossKind.ASoftmax or LossKind.IRSoftmaxA) MarginFunction.CheckMargin(config.M);
        if (config.Kind is LossKind.AMSoftmax or LossKind.IRSoftmaxAM)
        {
            if (!float.IsFinite(config.AmMargin) || config.AmMargin < 0) throw new ArgumentException($"AM-Softmax margin must be a finite number ≥ 0, got {config.AmMargin}.");
            if (!float.IsFinite(config.AmScale) || config.AmScale <= 0) throw new ArgumentException($"AM-Softmax scale must be a finite number > 0, got {config.AmScale}.");
        }
        if (config.Kind is LossKind.IRSoftmaxA or LossKind.IRSoftmaxAM)
        {
            if (config.MemoryBankSize < 1) throw new ArgumentException($"IR-Softmax memory bank size K must be at least 1, got {config.MemoryBankSize}.");
            if (!float.IsFinite(config.CentreLossWeight) || config.CentreLossWeight < 0) throw new ArgumentException($"IR-Softmax centre-loss weight must be a finite number ≥ 0, got {config.CentreLossWeight}.");
        }
    }
}
