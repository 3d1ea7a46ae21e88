using System.Globalization;
using System.Text.Json.Nodes;
using SphereFace.Graphs.Building;
using SphereFace.Models.Native;
using SphereFace.Models.Onnx;
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
        var g = new GraphBuilder($"loss_{config.Head}") { DynamicDimName = "B" };
        string feature = g.Input(FeatureName, ElementType.Float, TensorInfo.Dynamic, featureWidth);
        string label = g.Input(LabelName, ElementType.Int64, TensorInfo.Dynamic);
        string lambda = g.Input(LambdaName, ElementType.Float);
        var outs = LossHeads.Append(g, feature, label, lambda, classes, config, store);
        g.Output(outs.Loss, LossName);
        g.Output(outs.Logits, LogitsName);
        g.Output(outs.Accuracy, AccuracyName);
        if (outs.Centres is not null) g.Output(outs.Centres, CentresName);
        foreach (var state in outs.State) g.Output(state.Next, state.Tensor.Output);
        foreach (var (k, v) in Metadata(config, classes)) g.Metadata[k] = v;
        return g.ToModel($"SphereFace loss head '{config.Head}': feature [B,{featureWidth}], label [B], lambda [] → loss, logits, accuracy.");
    }

    /// <summary>True when graphs with this head contain plugin ops (the head's <see cref="ILossHead.NeedsPlugin"/>).</summary>
    public static bool NeedsPlugin(LossConfig config) => config.Rule.NeedsPlugin(config);

    /// <summary>Parses an IR-Softmax centre update name: "loss" or "memory-bank".</summary>
    public static CentreUpdate ParseCentreUpdate(string name) => name.Trim().ToLowerInvariant() switch
    {
        "loss" => CentreUpdate.Loss,
        "memory-bank" or "memory_bank" => CentreUpdate.MemoryBank,
        _ => throw new Models.Errors.InputException($"Unknown centre update '{name}'; expected loss or memory-bank."),
    };

    /// <summary>The loss constants as model metadata (prefix "sphereface.loss."): the head, classes, every parameter's value.</summary>
    public static IReadOnlyDictionary<string, string> Metadata(LossConfig config, int classes)
    {
        var meta = new Dictionary<string, string>
        {
            ["sphereface.loss.kind"] = config.Head,
            ["sphereface.loss.classes"] = classes.ToString(CultureInfo.InvariantCulture),
            ["sphereface.loss.needs_plugin"] = NeedsPlugin(config) ? "true" : "false",
        };
        foreach (var (name, value) in config.Effective())
            meta["sphereface.loss." + name] = value is JsonValue v && v.TryGetValue<string>(out var text) ? text : value!.ToJsonString();
        if (NeedsPlugin(config))
        {
            meta["sphereface.loss.plugin_domain"] = MarginPlugin.Domain;
            meta["sphereface.loss.plugin_library"] = MarginPlugin.LibraryFileName;
        }
        return meta;
    }

    /// <summary>
    /// The manifest's "loss" section: head, file, I/O names, every parameter's value (<c>constants</c>), the λ schedule
    /// for heads that use λ, whether the plugin is needed and, if so, its domain, ops and library file name.
    /// </summary>
    public static JsonObject ManifestSection(LossConfig config, int classes, int featureWidth, string file, LambdaSchedule? schedule = null)
    {
        var head = config.Rule;
        var constants = config.Effective();
        if (head.UsesLambda)
        {
            var s = (schedule ?? new LambdaSchedule()).Validate();
            constants["lambda_schedule"] = System.Text.Json.JsonSerializer.SerializeToNode(s, Specs.SpecJson.Options);
        }
        var section = new JsonObject
        {
            ["kind"] = config.Head,
            ["file"] = file,
            ["classes"] = classes,
            ["feature_width"] = featureWidth,
            ["inputs"] = new JsonArray(FeatureName, LabelName, LambdaName),
            ["outputs"] = new JsonArray(LossName, LogitsName, AccuracyName),
            ["constants"] = constants,
            ["needs_plugin"] = NeedsPlugin(config),
        };
        // What the head declares beyond its logits (IR-Softmax: renormalised centres, or a memory bank as state).
        var scratch = new GraphBuilder("loss_manifest");
        var outs = LossHeads.Append(scratch, scratch.Input(FeatureName, ElementType.Float, 1, featureWidth), scratch.Input(LabelName, ElementType.Int64, 1),
            scratch.Input(LambdaName, ElementType.Float), classes, config, new ParameterStore(0));
        if (outs.UnitRowParameters.Count > 0)
            section["unit_row_parameters"] = new JsonArray(outs.UnitRowParameters.Select(p => (JsonNode)JsonValue.Create(p)).ToArray());
        if (outs.State.Count > 0)
            section["state"] = new JsonArray(outs.State.Select(st => (JsonNode)new JsonObject
            {
                ["name"] = st.Tensor.Input,
                ["shape"] = new JsonArray(st.Tensor.Shape.Select(d => (JsonNode)JsonValue.Create(d)).ToArray()),
                ["initial"] = st.Initial.All(v => v == 0) ? "zeros" : "values",
            }).ToArray());
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
