using System.Text.Json.Nodes;
using SphereFace.Graphs.Nets;

namespace SphereFace.Graphs.TrainStep;

/// <summary>The <c>train_step</c> section of <c>manifest.json</c>: batch size, loss, plugin need, and every carried tensor.</summary>
public static class TrainStepManifest
{
    /// <summary>Section name in the manifest.</summary>
    public const string SectionName = "train_step";

    /// <summary>The section for <paramref name="step"/> (inputs and outputs in graph order).</summary>
    public static JsonObject Section(TrainStepGraph step)
    {
        var carried = new JsonArray();
        foreach (var c in step.Carried)
            carried.Add(new JsonObject
            {
                ["input"] = c.Input,
                ["output"] = c.Output,
                ["shape"] = new JsonArray(c.Shape.Select(d => (JsonNode)JsonValue.Create(d)).ToArray()),
                ["kind"] = c.Kind.ToString().ToLowerInvariant(),
            });
        return new JsonObject
        {
            ["batch_size"] = step.Config.BatchSize,
            ["loss"] = step.Config.Loss.Kind.ToString(),
            ["kernels"] = step.Config.Kernels.Name(),
            ["needs_plugin"] = step.NeedsPlugin,
            ["plugins"] = new JsonArray(step.Plugins.Select(p => (JsonNode)JsonValue.Create(p.FileName)).ToArray()),
            ["inputs"] = new JsonArray(TrainStepGraph.DataInput, TrainStepGraph.LabelInput, TrainStepGraph.LrInput, TrainStepGraph.LambdaInput),
            ["outputs"] = new JsonArray(TrainStepGraph.LossOutput, TrainStepGraph.AccuracyOutput),
            ["solver"] = new JsonObject
            {
                ["momentum"] = step.Config.Solver.Momentum,
                ["weight_decay"] = step.Config.Solver.WeightDecay,
                ["bias_lr_mult"] = step.Config.Solver.BiasLrMult,
                ["bias_decay_mult"] = step.Config.Solver.BiasDecayMult,
            },
            ["carried"] = carried,
        };
    }
}
