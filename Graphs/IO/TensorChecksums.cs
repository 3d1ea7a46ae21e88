using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace SphereFace.Graphs.IO;

/// <summary>
/// SHA-256 of each tensor's bytes (little-endian float32, as stored), kept as one metadata entry
/// <c>{"algorithm": "sha256", "tensors": {"conv1_1/weight": "&lt;64 hex digits&gt;", …}}</c> so a flipped bit in a
/// saved file is found, and named, before its values are used (docs/checkpoints.md).
/// </summary>
public static class TensorChecksums
{
    /// <summary>The metadata key.</summary>
    public const string Key = "checksums";

    private const string Algorithm = "sha256";

    /// <summary>The metadata value for <paramref name="tensors"/>.</summary>
    public static string Compute(IEnumerable<NamedTensor> tensors) =>
        JsonSerializer.Serialize(new Entry(Algorithm, tensors.ToDictionary(t => t.Name, Hash, StringComparer.Ordinal)));

    /// <summary>
    /// Checks <paramref name="tensors"/> against the metadata value <paramref name="json"/>: every tensor listed, with
    /// its hash; <paramref name="source"/> names the file in errors.
    /// </summary>
    /// <exception cref="InvalidDataException">A tensor whose bytes changed, one not listed, or an unreadable entry.</exception>
    public static void Verify(IEnumerable<NamedTensor> tensors, string json, string source)
    {
        Entry entry;
        try
        {
            entry = JsonSerializer.Deserialize<Entry>(json) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{source}': the {Key} entry is not valid ({e.Message}).", e);
        }
        if (entry.algorithm != Algorithm || entry.tensors is null)
            throw new InvalidDataException($"'{source}': the {Key} entry uses '{entry.algorithm}'; this program checks {Algorithm}.");
        foreach (var t in tensors)
        {
            if (!entry.tensors.TryGetValue(t.Name, out var expected))
                throw new InvalidDataException($"'{source}': tensor '{t.Name}' has no checksum; the file was altered after it was written.");
            if (!string.Equals(Hash(t), expected, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"'{source}': tensor '{t.Name}' does not match its checksum; the file is corrupt (its bytes changed after it was written).");
        }
    }

    private static string Hash(NamedTensor t) => Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(t.Data.AsSpan())));

    // Lower-case names: they are the JSON field names.
    private sealed record Entry(string algorithm, Dictionary<string, string> tensors);
}
