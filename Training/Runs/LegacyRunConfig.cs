using System.Text.Json.Nodes;

namespace SphereFace.Training.Runs;

/// <summary>
/// Reads the flat run configuration written before versioned run specs (the <c>config</c> of older checkpoints and
/// run folders) into a version-1 <see cref="RunSpec"/> object, so those runs resume and export. Such runs were trained
/// with the standard kernels unless they say otherwise.
/// </summary>
internal static class LegacyRunConfig
{
    private static readonly Dictionary<string, string> Heads = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Softmax"] = "softmax", ["Modified"] = "modified", ["ASoftmax"] = "asoftmax", ["AMSoftmax"] = "amsoftmax",
        ["IRSoftmaxA"] = "irsoftmax-a", ["IRSoftmaxAM"] = "irsoftmax-am",
    };

    public static JsonObject Convert(JsonObject old, string source)
    {
        JsonNode? Take(string name) => old[name]?.DeepClone();
        var loss = old["loss"] as JsonObject ?? throw new InvalidDataException($"{source}: the run configuration has no loss.");
        string kind = (string?)loss["kind"] ?? throw new InvalidDataException($"{source}: the run configuration's loss has no kind.");
        string head = Heads.TryGetValue(kind, out var h) ? h : throw new InvalidDataException($"{source}: unknown loss kind '{kind}'.");
        var newLoss = new JsonObject { ["head"] = head };
        void LossParameter(string oldName, string newName, params string[] heads)
        {
            if (heads.Contains(head) && loss[oldName] is { } v) newLoss[newName] = v.DeepClone();
        }
        LossParameter("classifier_bias", "bias", "softmax");
        LossParameter("m", "m", "asoftmax", "irsoftmax-a");
        LossParameter("use_plugin", "use_plugin", "asoftmax", "irsoftmax-a");
        LossParameter("am_margin", "margin", "amsoftmax", "irsoftmax-am");
        LossParameter("am_scale", "scale", "amsoftmax", "irsoftmax-am");
        LossParameter("memory_bank_size", "memory_bank_size", "irsoftmax-a", "irsoftmax-am");
        LossParameter("centre_loss_weight", "centre_loss_weight", "irsoftmax-a", "irsoftmax-am");
        if (head.StartsWith("irsoftmax", StringComparison.Ordinal) && (string?)loss["centres"] is { } centres)
            newLoss["centres"] = centres.Equals("MemoryBank", StringComparison.OrdinalIgnoreCase) ? "memory-bank" : "loss";
        return new JsonObject
        {
            ["version"] = RunSpec.CurrentVersion,
            ["net"] = new JsonObject { ["name"] = Take("net"), ["last_relu"] = Take("last_relu") ?? false, ["embedding_size"] = Take("embedding_size") ?? 512 },
            ["loss"] = newLoss,
            ["classes"] = Take("classes"),
            ["batch"] = Take("batch_size") ?? 32,
            ["kernels"] = Take("kernels") ?? "standard",
            ["graph"] = Take("graph"),
            ["solver"] = new JsonObject
            {
                ["iterations"] = Take("iterations") ?? 28000, ["base_lr"] = Take("base_lr") ?? 0.1, ["lr_steps"] = Take("lr_steps") ?? new JsonArray(16000, 24000),
                ["lr_gamma"] = Take("lr_gamma") ?? 0.1, ["momentum"] = Take("momentum") ?? 0.9, ["weight_decay"] = Take("weight_decay") ?? 5e-4,
                ["bias_lr_mult"] = Take("bias_lr_mult") ?? 2, ["bias_decay_mult"] = Take("bias_decay_mult") ?? 0,
            },
            ["lambda"] = new JsonObject
            {
                ["base"] = Take("lambda_base") ?? 1000, ["gamma"] = Take("lambda_gamma") ?? 0.12, ["power"] = Take("lambda_power") ?? 1, ["min"] = Take("lambda_min") ?? 5,
            },
            ["data"] = new JsonObject
            {
                ["source"] = Take("data") ?? "random:64", ["landmarks"] = Take("landmarks"), ["identity_list"] = Take("identity_list"),
                ["workers"] = Take("data_workers") ?? 2, ["flip_probability"] = Take("flip_probability") ?? 0.5,
            },
            ["seed"] = Take("seed") ?? 1,
            ["init_from"] = Take("init_from"),
            ["output"] = new JsonObject { ["log_every"] = Take("log_every") ?? 20, ["checkpoint_every"] = Take("checkpoint_every") ?? 1000 },
        };
    }
}
