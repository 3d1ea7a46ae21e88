using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SphereFace.Graphs.IO;

/// <summary>
/// The safetensors container (as read by Hugging Face's <c>safetensors</c> and by a few lines of numpy):
/// an 8-byte little-endian header length N, N bytes of UTF-8 JSON, then the tensor bytes. The JSON maps each
/// tensor name to <c>{"dtype":"F32","shape":[...],"data_offsets":[begin,end]}</c> (offsets relative to the
/// end of the header) and holds a <c>"__metadata__"</c> string→string map. Only float32 tensors are used here.
/// </summary>
public static class SafeTensors
{
    /// <summary>Key of the metadata map in the header.</summary>
    public const string MetadataKey = "__metadata__";
    /// <summary>Largest header accepted when reading (guards against allocating from a corrupt length).</summary>
    public const long MaxHeaderBytes = 64L << 20;

    /// <summary>Writes <paramref name="tensors"/> (in order, contiguous) and <paramref name="metadata"/> to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        if (!BitConverter.IsLittleEndian) throw new NotSupportedException("safetensors writing needs a little-endian machine.");
        var header = new JsonObject();
        var meta = new JsonObject();
        foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) meta[k] = v;
        header[MetadataKey] = meta;
        long offset = 0;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            if (t.Name == MetadataKey || !names.Add(t.Name)) throw new ArgumentException($"Tensor name '{t.Name}' is reserved or repeated.");
            if (t.Count != t.Data.Length) throw new ArgumentException($"Tensor '{t.Name}': {t.Data.Length} values for shape [{string.Join(",", t.Shape)}].");
            long bytes = 4L * t.Data.Length;
            header[t.Name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)JsonValue.Create(d)!).ToArray()),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(offset + bytes)),
            };
            offset += bytes;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        // Pad with spaces to a multiple of 8 so the tensor data is aligned (the reference implementation does the same).
        int padded = (json.Length + 7) / 8 * 8;
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(json);
        for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        foreach (var t in tensors) stream.Write(MemoryMarshal.AsBytes(t.Data.AsSpan()));
    }

    /// <summary>
    /// Reads a safetensors file. Every size in the header is checked against the file length before any
    /// tensor is allocated; a truncated, padded or malformed file is an <see cref="InvalidDataException"/> naming it.
    /// </summary>
    public static (IReadOnlyList<NamedTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        long fileLength = fs.Length;
        if (fileLength < 8) throw new InvalidDataException($"'{path}' is truncated: {fileLength} bytes, not even the 8-byte safetensors header length.");
        Span<byte> lengthBytes = stackalloc byte[8];
        fs.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength < 2 || headerLength > (ulong)(fileLength - 8) || (long)headerLength > MaxHeaderBytes)
            throw new InvalidDataException(
                $"'{path}' is truncated or not a safetensors file: its header claims {headerLength} bytes but the file has {fileLength - 8} bytes after the length field (limit {MaxHeaderBytes}).");
        var headerBytes = new byte[(int)headerLength];
        fs.ReadExactly(headerBytes);
        long dataLength = fileLength - 8 - (long)headerLength;

        if (!System.Text.Unicode.Utf8.IsValid(headerBytes))
            throw new InvalidDataException($"'{path}' is corrupt: its safetensors header is not UTF-8 text.");
        JsonObject header;
        try
        {
            header = JsonNode.Parse(headerBytes, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject
                ?? throw new InvalidDataException($"'{path}': the safetensors header is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is corrupt: its safetensors header is not valid JSON ({e.Message}).", e);
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<(string Name, long[] Shape, long Begin, long End)>();
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == MetadataKey)
                {
                    if (node is not JsonObject meta) throw new InvalidDataException($"'{path}': '{MetadataKey}' is not a string map.");
                    foreach (var (k, v) in meta)
                        metadata[k] = v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s
                            : throw new InvalidDataException($"'{path}': metadata entry '{k}' is not a string.");
                    continue;
                }
                entries.Add(ParseEntry(path, name, node));
            }
        }
        catch (InvalidOperationException e)
        {
            // An escape that decodes to no valid text (a lone surrogate), found when the value is read.
            throw new InvalidDataException($"'{path}' is corrupt: its safetensors header holds invalid text ({e.Message}).", e);
        }

        // Tensors must tile the data region exactly: no overlap, no hole, nothing missing at the end.
        long expected = 0;
        foreach (var e in entries.OrderBy(e => e.Begin))
        {
            if (e.Begin != expected)
                throw new InvalidDataException($"'{path}' is corrupt: tensor '{e.Name}' starts at byte {e.Begin}, expected {expected} (overlapping or missing data).");
            expected = e.End;
        }
        if (expected != dataLength)
            throw new InvalidDataException(expected > dataLength
                ? $"'{path}' is truncated: its header describes {expected} bytes of tensor data but only {dataLength} follow."
                : $"'{path}' is corrupt: {dataLength - expected} bytes follow the last tensor.");

        long dataStart = 8 + (long)headerLength;
        var tensors = new List<NamedTensor>(entries.Count);
        foreach (var e in entries)
        {
            var data = new float[(e.End - e.Begin) / 4];
            fs.Seek(dataStart + e.Begin, SeekOrigin.Begin);
            fs.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
            tensors.Add(new NamedTensor(e.Name, e.Shape, data));
        }
        return (tensors, metadata);
    }

    private static (string, long[], long, long) ParseEntry(string path, string name, JsonNode? node)
    {
        try
        {
            if (node is not JsonObject o) throw new InvalidDataException("not an object");
            string dtype = o["dtype"]?.GetValue<string>() ?? throw new InvalidDataException("no dtype");
            if (dtype != "F32") throw new InvalidDataException($"dtype {dtype}, only F32 is supported");
            var shape = (o["shape"] as JsonArray ?? throw new InvalidDataException("no shape")).Select(d => d!.GetValue<long>()).ToArray();
            var offsets = (o["data_offsets"] as JsonArray ?? throw new InvalidDataException("no data_offsets")).Select(d => d!.GetValue<long>()).ToArray();
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0]) throw new InvalidDataException("bad data_offsets");
            if (shape.Any(d => d < 0)) throw new InvalidDataException("negative dimension");
            long count = 1;
            foreach (var d in shape) count = checked(count * d);
            if (checked(count * 4) != offsets[1] - offsets[0])
                throw new InvalidDataException($"shape [{string.Join(",", shape)}] needs {count * 4} bytes but data_offsets span {offsets[1] - offsets[0]}");
            if (count > Array.MaxLength) throw new InvalidDataException($"{count} values is more than one array can hold");
            return (name, shape, offsets[0], offsets[1]);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException or InvalidDataException or NullReferenceException)
        {
            throw new InvalidDataException($"'{path}' is corrupt: tensor '{name}' has an invalid header entry ({e.Message}).", e);
        }
    }
}
