using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SphereFace.Graphs.IO;

/// <summary>
/// SHA-256 of what a saved file holds, kept as one metadata entry
/// <c>{"algorithm": "sha256-v2", "tensors": {"conv1_1/weight": "&lt;64 hex digits&gt;", …}, "metadata": "&lt;64 hex digits&gt;"}</c>:
/// per tensor over its name, element type, shape and bytes (little-endian float32, as stored), and over every other
/// metadata entry, so a flipped bit, a changed shape, a renamed, added or dropped tensor or an edited metadata value is
/// found, and named, before any value is used (docs/checkpoints.md). The entry is required: a file without it is refused.
/// </summary>
public static class TensorChecksums
{
    /// <summary>The metadata key.</summary>
    public const string Key = "checksums";

    private const string Algorithm = "sha256-v2";

    /// <summary>The metadata value for <paramref name="tensors"/> and the other entries <paramref name="metadata"/>.</summary>
    public static string Compute(IEnumerable<NamedTensor> tensors, IReadOnlyDictionary<string, string> metadata) =>
        JsonSerializer.Serialize(new Entry(Algorithm, tensors.ToDictionary(t => t.Name, Hash, StringComparer.Ordinal), HashMetadata(metadata)));

    /// <summary>
    /// Checks <paramref name="tensors"/> and <paramref name="metadata"/> against the entry <see cref="Key"/> of
    /// <paramref name="metadata"/>: every tensor listed with its hash, none listed that is absent, the other metadata
    /// unchanged; <paramref name="source"/> names the file in errors.
    /// </summary>
    /// <exception cref="InvalidDataException">The entry is missing or unreadable, or the file changed after it was written.</exception>
    public static void Verify(IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string> metadata, string source)
    {
        if (!metadata.TryGetValue(Key, out var json))
            throw new InvalidDataException($"'{source}' has no '{Key}' metadata entry; every file this program writes has one, so this one was altered or not written by it.");
        Entry entry;
        try
        {
            entry = JsonSerializer.Deserialize<Entry>(json) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{source}': the {Key} entry is not valid ({e.Message}).", e);
        }
        if (entry.algorithm != Algorithm || entry.tensors is null || entry.metadata is null)
            throw new InvalidDataException($"'{source}': the {Key} entry uses '{entry.algorithm}'; this program writes and checks {Algorithm} (a file of an earlier version: export it with that version).");
        foreach (var t in tensors)
        {
            if (!entry.tensors.TryGetValue(t.Name, out var expected))
                throw new InvalidDataException($"'{source}': tensor '{t.Name}' has no checksum; the file was altered after it was written.");
            if (!string.Equals(Hash(t), expected, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"'{source}': tensor '{t.Name}' does not match its checksum; the file is corrupt (its bytes or shape changed after it was written).");
        }
        if (entry.tensors.Keys.FirstOrDefault(name => !tensors.Any(t => t.Name == name)) is { } missing)
            throw new InvalidDataException($"'{source}': tensor '{missing}' has a checksum but is not in the file; the file was altered after it was written.");
        if (!string.Equals(HashMetadata(metadata), entry.metadata, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"'{source}': its metadata does not match its checksum; the file was altered after it was written.");
    }

    private static string Hash(NamedTensor t)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes($"{t.Name}\0F32\0{string.Join(",", t.Shape)}\0"));
        sha.AppendData(MemoryMarshal.AsBytes(t.Data.AsSpan()));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>Every entry but this one, in ordinal key order, as key NUL value NUL.</summary>
    private static string HashMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        var text = new StringBuilder();
        foreach (var (k, v) in metadata.Where(kv => kv.Key != Key).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            text.Append(k).Append('\0').Append(v).Append('\0');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    // Lower-case names: they are the JSON field names.
    private sealed record Entry(string algorithm, Dictionary<string, string> tensors, string? metadata);
}
