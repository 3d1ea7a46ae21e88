using SphereFace.Models.Native;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SphereFace.Graphs.Losses;
using SphereFace.Graphs.Nets;

namespace SphereFace.Graphs.TrainStep;

/// <summary>
/// The <c>train_step</c> section of <c>manifest.json</c>: batch size, kernels, loss head (its full configuration),
/// solver, the plugin libraries the model needs, and every carried tensor with its shape and kind — what a driver needs
/// besides the model file (<see cref="ReadContract"/>).
/// </summary>
public static class TrainStepManifest
{
    /// <summary>Section name in the manifest.</summary>
    public const string SectionName = "train_step";

    /// <summary>File of the initial carried tensors that <c>build-graph</c> writes beside the model.</summary>
    public const string InitialFile = "initial.safetensors";

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
                ["kind"] = CarriedTensor.KindName(c.Kind),
            });
        return new JsonObject
        {
            ["batch_size"] = step.Config.BatchSize,
            ["data_shape"] = new JsonArray(step.Contract.Data.Select(d => (JsonNode)JsonValue.Create(d)).ToArray()),
            ["kernels"] = step.Config.Kernels.Kernels.Name(),
            ["block"] = step.Config.Kernels.Block,
            ["loss"] = step.Config.Loss.Head,
            ["loss_config"] = step.Config.Loss.ToJson(),
            ["needs_plugin"] = step.NeedsPlugin,
            ["plugins"] = new JsonArray(step.Plugins.Select(p => (JsonNode)JsonValue.Create(p.FileName)).ToArray()),
            ["initial"] = InitialFile,
            ["inputs"] = new JsonArray(TrainStepContract.BatchInputs.Select(i => (JsonNode)JsonValue.Create(i)).ToArray()),
            ["outputs"] = new JsonArray(TrainStepContract.LossOutput, TrainStepContract.AccuracyOutput),
            // The solver the step was built with, in the run spec's form; its schedule fields record the spec it came from.
            ["solver"] = JsonSerializer.SerializeToNode(step.Config.Solver, Specs.SpecJson.Options),
            ["carried"] = carried,
        };
    }

    /// <summary>The contract a section describes; <paramref name="source"/> names the manifest in errors.</summary>
    /// <exception cref="InvalidDataException">A field is missing or malformed; the message names it.</exception>
    public static TrainStepContract ReadContract(JsonNode? section, string source)
    {
        if (section is not JsonObject s) throw new InvalidDataException($"{source}: no '{SectionName}' section (not a graph folder written by build-graph?).");
        int batch = Field(() => (int)s["batch_size"]!, source, "batch_size");
        if (batch < 1) throw new InvalidDataException($"{source}: {SectionName}.batch_size is {batch}, expected ≥ 1.");
        if (s["carried"] is not JsonArray list) throw new InvalidDataException($"{source}: {SectionName}.carried is missing.");
        var carried = new List<CarriedTensor>();
        foreach (var (item, k) in list.Select((x, k) => (x, k)))
        {
            string where = $"{SectionName}.carried[{k}]";
            string input = Field(() => (string)item!["input"]!, source, where + ".input");
            long[] shape = Field(() => item!["shape"]!.AsArray().Select(d => (long)d!).ToArray(), source, where + ".shape");
            var kind = Field(() => CarriedTensor.ParseKind((string)item!["kind"]!), source, where + ".kind");
            var c = new CarriedTensor(input, shape, kind);
            if (item!["output"] is { } output && (string?)output != c.Output)
                throw new InvalidDataException($"{source}: {where}.output is '{(string?)output}', expected '{c.Output}' (carried outputs are next/ + input).");
            if (shape.Any(d => d < 1)) throw new InvalidDataException($"{source}: {where}.shape of '{input}' has a dimension below 1.");
            carried.Add(c);
        }
        var duplicate = carried.GroupBy(c => c.Input).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidDataException($"{source}: carried tensor '{duplicate.Key}' is listed twice.");
        long[]? data = s["data_shape"] is JsonArray d ? Field(() => d.Select(x => (long)x!).ToArray(), source, $"{SectionName}.data_shape") : null;
        if (data is not null && (data.Length == 0 || data[0] != batch || data.Any(x => x < 1)))
            throw new InvalidDataException($"{source}: {SectionName}.data_shape [{string.Join(",", data)}] must start with the batch size {batch}.");
        return new TrainStepContract(batch, carried, data);
    }

    /// <summary>The loss head configuration of a section.</summary>
    /// <exception cref="InvalidDataException">It is missing or malformed.</exception>
    public static LossConfig ReadLoss(JsonNode? section, string source) =>
        Field(() => LossConfig.FromJson(section!["loss_config"]!.AsObject(), source), source, $"{SectionName}.loss_config");

    /// <summary>The kernels of a section: the ops and, for the oneDNN kernels, the activation block (16 when absent:
    /// sections written before the block was a choice).</summary>
    /// <exception cref="InvalidDataException">It is missing or malformed.</exception>
    public static KernelChoice ReadKernels(JsonNode? section, string source)
    {
        var kernels = Field(() => KernelNames.Parse((string)section!["kernels"]!), source, $"{SectionName}.kernels");
        if (kernels == Kernels.Auto) throw new InvalidDataException($"{source}: {SectionName}.kernels is 'auto'; a built graph names the kernels it was built with.");
        if (!kernels.UsesDnnl()) return KernelChoice.Standard;
        int block = section!["block"] is { } b ? Field(() => (int)b, source, $"{SectionName}.block") : 16;
        if (!Models.Native.DnnlPlugin.Blocks.Contains(block))
            throw new InvalidDataException($"{source}: {SectionName}.block is {block}, expected one of {string.Join(", ", Models.Native.DnnlPlugin.Blocks)}.");
        return new KernelChoice(kernels, block);
    }

    /// <summary>The solver of a section.</summary>
    /// <exception cref="InvalidDataException">It is missing or malformed.</exception>
    public static SolverSpec ReadSolver(JsonNode? section, string source) =>
        Field(() => section!["solver"]!.AsObject().Deserialize<SolverSpec>(Specs.SpecJson.Options)!.Validate(), source, $"{SectionName}.solver");

    private static T Field<T>(Func<T> read, string source, string field)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or JsonException or ArgumentException)
        {
            throw new InvalidDataException($"{source}: {field} is missing or malformed ({e.Message}).", e);
        }
    }
}
