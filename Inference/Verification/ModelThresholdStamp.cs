using SphereFace.Models.Onnx;

namespace SphereFace.Inference.Verification;

/// <summary>Writes calibrated <see cref="VerificationThresholds"/> into a model file's metadata.</summary>
public static class ModelThresholdStamp
{
    /// <summary>
    /// Replaces the model's thresholds for each given representation (other metadata and the graph are kept) and
    /// rewrites the file atomically (temporary file, fsync, rename).
    /// </summary>
    /// <exception cref="FileNotFoundException">The model file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model.</exception>
    public static void Apply(string modelPath, IEnumerable<VerificationThresholds> thresholds)
    {
        var model = ModelFile.Load(modelPath);
        foreach (var t in thresholds)
        {
            string prefix = VerificationThresholds.Prefix + t.Representation + ".";
            var stale = model.MetadataProps.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            foreach (var e in stale) model.MetadataProps.Remove(e);
            foreach (var (key, value) in t.ToMetadata()) model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        ModelFile.Save(model, modelPath);
    }
}
