using SphereFace.Graphs.Building;
using SphereFace.Graphs.Parameters;
using SphereFace.Models.Onnx;

namespace SphereFace.Graphs.Losses;

/// <summary>
/// IR-Softmax (Zhu et al., "Imbalance Robust Softmax"): A-Softmax (IR-Softmax(A)) or AM-Softmax (IR-Softmax(AM))
/// whose class weights are the unit class centres of the normalised features, so that a class with few samples
/// keeps its weight at its own centre. The main loss never updates the centres (stop-gradient). Two centre updates:
/// <list type="bullet">
/// <item><see cref="CentreUpdate.Loss"/> (the paper's choice): parameter <see cref="CentresName"/> [C, D] trained only by
/// the extra loss w·mean_i ‖c_{y_i} − x̂_i‖² (x̂ = x/‖x‖ behind a stop-gradient), listed in
/// <see cref="LossOutputs.UnitRowParameters"/> so the optimiser renormalises its rows after each update;</item>
/// <item><see cref="CentreUpdate.MemoryBank"/>: state <see cref="BankName"/> [C·K, D] holds the last K normalised features
/// of each class (ring buffer, slot = count mod K) and <see cref="CountName"/> [C] the number written so far; the
/// batch's features are written first, then centre_j = normalise(Σ bank rows of class j). A class with no feature yet
/// has a zero centre (logit 0). If one batch holds more than K samples of a class, which of them stay is unspecified.
/// </item>
/// </list>
/// </summary>
public static class IRSoftmax
{
    /// <summary>Parameter name of the trained centres.</summary>
    public const string CentresName = "fc6/centres";
    /// <summary>State input of the memory bank.</summary>
    public static readonly string BankName = TrainStep.CarriedTensor.StateNamed("memory_bank");
    /// <summary>State input of the per-class write counts.</summary>
    public static readonly string CountName = TrainStep.CarriedTensor.StateNamed("memory_count");

    /// <summary>The parameters both IR-Softmax heads add to their base loss's.</summary>
    internal static readonly LossParameter[] Shared =
    [
        new("centres", System.Text.Json.Nodes.JsonValue.Create("loss"), "centre update: loss (centre loss, renormalised; the paper's choice) or memory-bank"),
        new("memory_bank_size", System.Text.Json.Nodes.JsonValue.Create(8), "memory bank: features kept per class (K ≥ 1)"),
        new("centre_loss_weight", System.Text.Json.Nodes.JsonValue.Create(1.0), "weight of the centre loss (≥ 0)"),
    ];

    /// <summary>The centre update of <paramref name="config"/>.</summary>
    public static CentreUpdate Centres(LossConfig config) => LossGraph.ParseCentreUpdate(config.String("centres"));

    /// <summary>Throws unless the IR-Softmax parameters are in range.</summary>
    internal static void Validate(LossConfig config)
    {
        _ = Centres(config);
        if (config.Int("memory_bank_size") < 1) throw new Models.Errors.InputException($"loss.memory_bank_size (IR-Softmax K) must be at least 1, got {config.Int("memory_bank_size")}.");
        float w = config.Float("centre_loss_weight");
        if (!float.IsFinite(w) || w < 0) throw new Models.Errors.InputException($"loss.centre_loss_weight must be a finite number ≥ 0, got {w}.");
    }

    /// <summary>Appends IR-Softmax on A-Softmax (<paramref name="angular"/>) or on AM-Softmax.</summary>
    internal static LossOutputs Append(LossInputs inputs, LossConfig config, bool angular)
    {
        var (g, feature, label, classes, store) = (inputs.Graph, inputs.Feature, inputs.Label, inputs.Classes, inputs.Store);
        long width = inputs.Width;
        string safeLabel = TargetLogits.SafeLabel(g, label, classes);
        string index = g.Node("Unsqueeze", [safeLabel, g.ConstInts(1)]);
        string unitFeature = StopGradient.Apply(g, g.Node("Div", [feature, Classifier.RowNorm(g, feature)]), "unit_feature");

        string directions;
        string? centreLoss = null;
        var unitRowParameters = new List<string>();
        var state = new List<CarriedState>();
        if (Centres(config) == CentreUpdate.Loss)
        {
            string centres = g.Parameter(store.GetOrCreate(CentresName, [classes, width], new UnitRowFiller(), lrMult: 1f, decayMult: 0f));
            unitRowParameters.Add(centres);
            directions = StopGradient.Apply(g, Classifier.NormalisedRows(g, centres), "centres");
            // c_{y_i} as onehot · C (a MatMul, whose gradient is plain; the one-hot mask needs none).
            string own = g.Node("MatMul", [TargetLogits.OneHot(g, label, classes), centres]);
            string squared = g.Node("ReduceSumSquare", [g.Node("Sub", [own, unitFeature])], [Attr.Ints("axes", 1), Attr.Int("keepdims", 0)]);
            centreLoss = g.Node("Mul", [g.Node("ReduceMean", [squared], [Attr.Int("keepdims", 0)]), g.Const(config.Float("centre_loss_weight"))]);
        }
        else
        {
            directions = MemoryBank(g, unitFeature, safeLabel, label, classes, width, config.Int("memory_bank_size"), state);
        }

        string logits = angular
            ? MarginLogits.ASoftmax(inputs, index, config.Int("m"), config.Bool("use_plugin"), directions)
            : MarginLogits.AMSoftmax(inputs, config.Float("margin"), config.Float("scale"), directions);
        string loss = CrossEntropy.MeanLoss(g, logits, index);
        if (centreLoss is not null) loss = g.Node("Add", [loss, centreLoss]);
        return new LossOutputs(loss, logits, CrossEntropy.Accuracy(g, logits, label))
        {
            Centres = directions, UnitRowParameters = unitRowParameters, State = state,
        };
    }

    // Writes the batch's unit features into the ring buffer and returns the unit centres [C, D] of the updated bank.
    private static string MemoryBank(GraphBuilder g, string unitFeature, string safeLabel, string label, int classes, long width, int k, List<CarriedState> state)
    {
        string bank = g.Input(BankName, ElementType.Float, classes * (long)k, width);
        string count = g.Input(CountName, ElementType.Float, classes);
        string oneHot = TargetLogits.OneHot(g, label, classes);
        // Position of each sample among the earlier samples of its class in this batch (exclusive running count).
        string earlier = g.Node("CumSum", [oneHot, g.ConstInts(0)], [Attr.Int("exclusive", 1)]);
        string rank = g.Node("ReduceSum", [g.Node("Mul", [earlier, oneHot]), g.ConstInts(1)], [Attr.Int("keepdims", 0)]);
        string written = g.Node("Gather", [count, safeLabel], [Attr.Int("axis", 0)]);
        string position = g.Node("Add", [written, rank]);
        string slot = g.Node("Sub", [position, g.Node("Mul", [g.Node("Floor", [g.Node("Div", [position, g.Const((float)k)])]), g.Const((float)k)])]);
        string labelF = g.Node("Cast", [safeLabel], [Attr.Int("to", (long)ElementType.Float)]);
        string row = g.Node("Cast", [g.Node("Add", [g.Node("Mul", [labelF, g.Const((float)k)]), slot])], [Attr.Int("to", (long)ElementType.Int64)]);
        string rows = g.Node("Expand", [g.Node("Unsqueeze", [row, g.ConstInts(1)]), g.ConstInts(1, width)]);
        string nextBank = g.Node("ScatterElements", [bank, rows, unitFeature], [Attr.Int("axis", 0)]);
        string nextCount = g.Node("Add", [count, g.Node("ReduceSum", [oneHot, g.ConstInts(0)], [Attr.Int("keepdims", 0)])]);
        state.Add(new CarriedState(new(BankName, [classes * (long)k, width], TrainStep.CarriedKind.State), new float[classes * k * width], nextBank));
        state.Add(new CarriedState(new(CountName, [classes], TrainStep.CarriedKind.State), new float[classes], nextCount));
        string sums = g.Node("ReduceSum", [g.Node("Reshape", [nextBank, g.ConstInts(classes, k, width)]), g.ConstInts(1)], [Attr.Int("keepdims", 0)]);
        return StopGradient.Apply(g, Classifier.UnitRowsOrZero(g, sums), "centres");
    }
}
