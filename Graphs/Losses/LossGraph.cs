using System.Globalization;
using System.Text.Json.Nodes;
using SphereFace.Graphs.Building;
using SphereFace.Graphs.Native;
using SphereFace.Graphs.Onnx;
using SphereFace.Graphs.Parameters;

namespace SphereFace.Graphs.Losses;

/// <summary>
/// The standalone loss graph (<c>loss.onnx</c>): inputs <c>feature</c> float [B, D] (dynamic B), <c>label</c>
/// int64 [B], <c>lambda</c> float scalar → outputs <c>loss</c>, <c>logits</c>, <c>accuracy</c>; classifier
/// weights as initializers. IR-Softmax adds output <c>centres</c> [C, D] and, with the memory bank, the state
/// inputs <c>state/…</c> with their <c>next/state/…</c> outputs.
/// </summary>
public static class LossGraph
{
    /// <summary>Input and output names of the loss graph.</summary>
    public const string FeatureName = "feature", LabelName = "label", LambdaName = "lambda", LossName = "loss", LogitsName = "logits", AccuracyName = "accuracy", CentresName = "centres";

    /// <summary>Builds the loss model for <paramref name="config"/> with weights from <paramref name="store"/>.</summary>
    public static ModelProto Build(LossConfig config, int classes, int featureWidth, ParameterStore store)
    {
        if (featureWidth <= 0) throw new ArgumentException($"Feature width must be positive, got {featureWidth}.");
        var g = new GraphBuilder($"loss_{Name(config.Kind)}") { DynamicDimName = "B" };
        string feature = g.Input(FeatureName, ElementType.Float, TensorInfo.Dynamic, featureWidth);
        string label = g.Input(LabelName, ElementType.Int64, TensorInfo.Dynamic);
        string lambda = g.Input(LambdaName, ElementType.Float);
        var outs = LossHead.Append(g, feature, label, lambda, classes, config, store);
        g.Output(outs.Loss, LossName);
        g.Output(outs.Logits, LogitsName);
        g.Output(outs.Accuracy, AccuracyName);
        if (outs.Centres is not null) g.Output(outs.Centres, CentresName);
        foreach (var state in outs.State) g.Output(state.Next, state.Tensor.Output);
        foreach (var (k, v) in Metadata(config, classes)) g.Metadata[k] = v;
        return g.ToModel($"SphereFace loss head '{Name(config.Kind)}': feature [B,{featureWidth}], label [B], lambda [] → loss, logits, accuracy.");
    }

    /// <summary>True when graphs with this head contain plugin ops (A-Softmax family with the plugin selected).</summary>
    public static bool NeedsPlugin(LossConfig config) => config.UsePlugin && config.Kind is LossKind.ASoftmax or LossKind.IRSoftmaxA;

    /// <summary>Command-line / manifest name of a loss kind.</summary>
    public static string Name(LossKind kind) => kind switch
    {
        LossKind.Softmax => "softmax",
        LossKind.Modified => "modified",
        LossKind.ASoftmax => "asoftmax",
        LossKind.AMSoftmax => "amsoftmax",
        LossKind.IRSoftmaxA => "irsoftmax-a",
        LossKind.IRSoftmaxAM => "irsoftmax-am",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown loss kind."),
    };

    /// <summary>Parses a loss name (see <see cref="Name"/>); clear error listing the accepted names.</summary>
    public static LossKind Parse(string name)
    {
        string wanted = name.Trim().ToLowerInvariant();
        foreach (var kind in Enum.GetValues<LossKind>())
            if (Name(kind) == wanted) return kind;
        throw new ArgumentException($"Unknown loss '{name}'; expected one of {string.Join(", ", Enum.GetValues<LossKind>().Select(Name))}.");
    }

    /// <summary>Parses an IR-Softmax centre update name: "loss" or "memory-bank".</summary>
    public static CentreUpdate ParseCentreUpdate(string name) => name.Trim().ToLowerInvariant() switch
    {
        "loss" => CentreUpdate.Loss,
        "memory-bank" or "memory_bank" => CentreUpdate.MemoryBank,
        _ => throw new ArgumentException($"Unknown centre update '{name}'; expected loss or memory-bank."),
    };

    /// <summary>The loss constants as model metadata (prefix "sphereface.loss.").</summary>
    public static IReadOnlyDictionary<string, string> Metadata(LossConfig config, int classes)
    {
        var c = CultureInfo.InvariantCulture;
        var meta = new Dictionary<string, string>
        {
            ["sphereface.loss.kind"] = Name(config.Kind),
            ["sphereface.loss.classes"] = classes.ToString(c),
            ["sphereface.loss.needs_plugin"] = NeedsPlugin(config) ? "true" : "false",
        };
        if (config.Kind is LossKind.ASoftmax or LossKind.IRSoftmaxA) meta["sphereface.loss.m"] = config.M.ToString(c);
        if (config.Kind is LossKind.IRSoftmaxA or LossKind.IRSoftmaxAM)
            meta["sphereface.loss.centre_update"] = config.Centres == CentreUpdate.Loss ? "loss" : "memory_bank";
        if (config.Kind is LossKind.AMSoftmax or LossKind.IRSoftmaxAM)
        {
            meta["sphereface.loss.am_margin"] = config.AmMargin.ToString("R", c);
            meta["sphereface.loss.am_scale"] = config.AmScale.ToString("R", c);
        }
        if (NeedsPlugin(config))
        {
            meta["sphereface.loss.plugin_domain"] = MarginPlugin.Domain;
            meta["sphereface.loss.plugin_library"] = MarginPlugin.LibraryFileName;
        }
        return meta;
    }

    /// <summary>
    /// The manifest's "loss" section: kind, file, I/O names, constants, whether the plugin is needed and, if so,
    /// its domain, ops and library file name.
    /// </summary>
    public static JsonObject ManifestSection(LossConfig config, int classes, int featureWidth, string file, LambdaSchedule? schedule = null)
    {
        var constants = new JsonObject();
        if (config.Kind is LossKind.ASoftmax or LossKind.IRSoftmaxA)
        {
            var s = (schedule ?? new LambdaSchedule()).Validate();
            constants["m"] = config.M;
            constants["lambda_schedule"] = new JsonObject { ["base"] = s.Base, ["gamma"] = s.Gamma, ["power"] = s.Power, ["min"] = s.Min };
        }
        if (config.Kind is LossKind.AMSoftmax or LossKind.IRSoftmaxAM)
        {
            constants["am_margin"] = config.AmMargin;
            constants["am_scale"] = config.AmScale;
        }
        var section = new JsonObject
        {
            ["kind"] = Name(config.Kind),
            ["file"] = file,
            ["classes"] = classes,
            ["feature_width"] = featureWidth,
            ["inputs"] = new JsonArray(FeatureName, LabelName, LambdaName),
            ["outputs"] = new JsonArray(LossName, LogitsName, AccuracyName),
            ["constants"] = constants,
            ["needs_plugin"] = NeedsPlugin(config),
        };
        if (config.Kind is LossKind.IRSoftmaxA or LossKind.IRSoftmaxAM)
        {
            constants["centre_update"] = config.Centres == CentreUpdate.Loss ? "loss" : "memory_bank";
            if (config.Centres == CentreUpdate.Loss)
            {
                constants["centre_loss_weight"] = config.CentreLossWeight;
                section["unit_row_parameters"] = new JsonArray(IRSoftmaxHead.CentresName);
            }
            else
            {
                constants["memory_bank_size"] = config.MemoryBankSize;
                section["state"] = new JsonArray(
                    new JsonObject { ["name"] = IRSoftmaxHead.BankName, ["shape"] = new JsonArray(classes * (long)config.MemoryBankSize, featureWidth), ["initial"] = "zeros" },
                    new JsonObject { ["name"] = IRSoftmaxHead.CountName, ["shape"] = new JsonArray((long)classes), ["initial"] = "zeros" });
            }
        }
        if (NeedsPlugin(config))
            section["plugin"] = new JsonObject
            {
                ["domain"] = MarginPlugin.Domain,
                ["ops"] = new JsonArray(MarginPlugin.PsiOp, MarginPlugin.PsiGradOp),
                ["library"] = MarginPlugin.LibraryFileName,
            };
        return section;
    }
}
