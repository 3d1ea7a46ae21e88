using System.Globalization;
using System.Text.Json;
using SphereFace.Graphs.IO;
using SphereFace.Graphs.TrainStep;
using SphereFace.Training.Data;
using SphereFace.Models.IO;

namespace SphereFace.Training.Checkpoints;

/// <summary>
/// Reads and writes <see cref="Checkpoint"/>s as safetensors files (docs/checkpoints.md). Writing goes through
/// a temporary file and a rename, so the previous checkpoint survives a crash mid-write.
/// </summary>
public static class CheckpointFile
{
    /// <summary>Metadata keys.</summary>
    public const string FormatKey = "format", IterationKey = "iteration", NetKey = "net", LossKey = "loss",
        SampleOrderKey = "sample_order", ConfigKey = "config", WindowKey = "metrics_window", InfoPrefix = "info.";

    /// <summary>Writes <paramref name="checkpoint"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, Checkpoint checkpoint)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [FormatKey] = Checkpoint.Format,
            [IterationKey] = checkpoint.Iteration.ToString(CultureInfo.InvariantCulture),
            [NetKey] = checkpoint.Net,
            [LossKey] = checkpoint.Loss,
            [SampleOrderKey] = JsonSerializer.Serialize(new SampleOrderJson(checkpoint.SampleOrder.Seed, checkpoint.SampleOrder.Epoch, checkpoint.SampleOrder.Position), JsonOptions),
            [ConfigKey] = checkpoint.ConfigJson,
            [CarriedTensorFile.KindsKey] = CarriedTensorFile.KindsJson(checkpoint.Tensors.Select(t => new CarriedTensor(t.Name, t.Shape, checkpoint.KindOf(t.Name)))),
            [WindowKey] = JsonSerializer.Serialize(checkpoint.Window, JsonOptions),
        };
        foreach (var (k, v) in checkpoint.Info) metadata[InfoPrefix + k] = v;
        metadata[TensorChecksums.Key] = TensorChecksums.Compute(checkpoint.Tensors, metadata);
        AtomicFile.Write(path, s => SafeTensors.Write(s, checkpoint.Tensors, metadata));
    }

    /// <summary>
    /// Reads a checkpoint; a missing, truncated or corrupt file (bytes that no longer match the checksums, NaN or
    /// infinite values, a missing checksum entry, a changed shape or metadata value), or one that is not a SphereFace
    /// checkpoint, is an error naming the file and the problem.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a valid checkpoint; the message says why.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static Checkpoint Load(string path)
    {
        var (tensors, metadata) = SafeTensors.Read(path);
        string Get(string key) => metadata.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"'{path}' is not a SphereFace checkpoint: metadata entry '{key}' is missing.");
        if (Get(FormatKey) != Checkpoint.Format)
            throw new InvalidDataException($"'{path}' has checkpoint format '{metadata[FormatKey]}', expected '{Checkpoint.Format}'.");
        if (!long.TryParse(Get(IterationKey), NumberStyles.None, CultureInfo.InvariantCulture, out long iteration))
            throw new InvalidDataException($"'{path}': iteration '{metadata[IterationKey]}' is not a non-negative integer.");
        SampleOrderJson order;
        try
        {
            order = JsonSerializer.Deserialize<SampleOrderJson>(Get(SampleOrderKey), JsonOptions) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}': sample_order is not valid ({e.Message}).", e);
        }
        if (order.Epoch < 0 || order.Position < 0)
            throw new InvalidDataException($"'{path}': sample_order has a negative epoch or position.");
        var window = Runs.MetricsWindow.Empty;
        if (metadata.TryGetValue(WindowKey, out var w))
        {
            try
            {
                window = JsonSerializer.Deserialize<Runs.MetricsWindow>(w, JsonOptions) ?? throw new JsonException("null");
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"'{path}': {WindowKey} is not valid ({e.Message}).", e);
            }
            if (window.Steps < 0) throw new InvalidDataException($"'{path}': {WindowKey} has a negative step count.");
        }
        var (net, loss, config) = (Get(NetKey), Get(LossKey), Get(ConfigKey));
        // What the file says it is was checked above, so a file of another kind or version is named as such; now that
        // it was not changed after it was written, and holds finite values only.
        TensorChecksums.Verify(tensors, metadata, path);
        foreach (var t in tensors)
            if (Runs.TrainingRun.IndexOfNonFinite(t.Data) is int i and >= 0)
                throw new InvalidDataException($"'{path}': tensor '{t.Name}' holds {t.Data[i]} at index {i}; a checkpoint holds finite values only.");
        return new Checkpoint
        {
            Iteration = iteration,
            Net = net,
            Loss = loss,
            SampleOrder = new SampleOrderState(order.Seed, order.Epoch, order.Position),
            ConfigJson = config,
            Info = metadata.Where(kv => kv.Key.StartsWith(InfoPrefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key[InfoPrefix.Length..], kv => kv.Value),
            Tensors = tensors,
            Window = window,
            // Checkpoints written before kinds were recorded name their tensors by the contract's prefixes.
            Kinds = metadata.TryGetValue(CarriedTensorFile.KindsKey, out var kinds)
                ? CarriedTensorFile.ParseKinds(kinds, path)
                : tensors.ToDictionary(t => t.Name, t => CarriedTensor.KindFromName(t.Name), StringComparer.Ordinal),
        };
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private sealed record SampleOrderJson(ulong Seed, int Epoch, long Position);
}
