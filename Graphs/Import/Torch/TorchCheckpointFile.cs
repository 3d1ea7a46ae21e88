using System.IO.Compression;
using SphereFace.Graphs.IO;
using SphereFace.Graphs.IO.Pickle;

namespace SphereFace.Graphs.Import.Torch;

/// <summary>
/// The float tensors of a PyTorch checkpoint (<c>torch.save</c> of a state dict, the zip format of PyTorch 1.6 and
/// later), read without Python: <c>data.pkl</c> runs in the restricted <see cref="PickleReader"/>, which may build
/// ordered dicts and tensors (<c>torch._utils._rebuild_tensor_v2</c>, <c>_rebuild_parameter</c> over float, half,
/// double or bfloat16 storages kept in the archive's <c>data/</c>) and nothing else, so a checkpoint cannot run code.
/// A TorchScript archive (<c>torch.jit.save</c>, which holds code) and the legacy pre-1.6 format are refused.
/// </summary>
public static class TorchCheckpointFile
{
    /// <summary>
    /// The float tensors of the state dict in <paramref name="path"/> (the dict itself, or the one under
    /// <c>state_dict</c> or <c>model</c>), as float32, names without nn.DataParallel's <c>module.</c> prefix.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not such a checkpoint, or one that asks for anything but tensors; the message names the file.</exception>
    public static IReadOnlyList<NamedTensor> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(path); }
        catch (InvalidDataException)
        {
            throw new InvalidDataException($"{path}: not a PyTorch checkpoint in the zip format of torch.save (PyTorch ≥ 1.6); a legacy checkpoint must be re-saved with a current torch.save.");
        }
        using (zip)
        {
            var pickle = zip.Entries.Where(e => e.FullName.Count(c => c == '/') == 1 && e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)).ToList();
            if (zip.Entries.Any(e => e.FullName.Contains("/code/", StringComparison.Ordinal) || e.FullName.EndsWith("/constants.pkl", StringComparison.Ordinal)))
                throw new InvalidDataException($"{path}: a TorchScript archive (torch.jit.save), which holds code; save the model's state_dict() with torch.save instead.");
            if (pickle.Count != 1) throw new InvalidDataException($"{path}: a zip without one <folder>/data.pkl; not a torch.save checkpoint.");
            string root = pickle[0].FullName[..^"data.pkl".Length];
            var rules = new StateDictRules(zip, root, path);
            object? content = PickleReader.Load(ReadEntry(pickle[0], path, 64L << 20), path, rules);
            if (content is PickleDict outer && (outer["state_dict"] ?? outer["model"]) is PickleDict inner) content = inner;
            if (content is not PickleDict dict) throw new InvalidDataException($"{path}: holds {Describe(content)}, not a state dict.");
            var tensors = new List<NamedTensor>();
            foreach (var (key, value) in dict.Items)
                if (key is string name && value is NamedTensor t)
                    tensors.Add(t with { Name = name.StartsWith("module.", StringComparison.Ordinal) ? name["module.".Length..] : name });
            return tensors;
        }
    }

    private static string Describe(object? value) => value switch { null => "None", PickleDict => "a dict", _ => $"a {value.GetType().Name}" };

    private static byte[] ReadEntry(ZipArchiveEntry entry, string path, long limit)
    {
        if (entry.Length > limit) throw new InvalidDataException($"{path}: '{entry.FullName}' claims {entry.Length} bytes (at most {limit} are read).");
        var bytes = new byte[entry.Length];
        using var stream = entry.Open();
        try { stream.ReadExactly(bytes); }
        catch (EndOfStreamException) { throw new InvalidDataException($"{path}: '{entry.FullName}' is shorter than its {entry.Length} bytes."); }
        return bytes;
    }

    /// <summary>An integer tensor: read, checked and left out (the importers take float weights).</summary>
    private sealed record IntegerTensor;

    /// <summary>A storage named by a persistent id: its element type, the archive entry and its element count.</summary>
    private sealed record Storage(string Type, int ElementSize, ZipArchiveEntry Entry, long Elements);

    private sealed class StateDictRules(ZipArchive zip, string root, string path) : IPickleRules
    {
        private static readonly Dictionary<string, int> StorageTypes = new(StringComparer.Ordinal)
        {
            ["FloatStorage"] = 4, ["DoubleStorage"] = 8, ["HalfStorage"] = 2, ["BFloat16Storage"] = 2,
            // Integer tensors (a BatchNorm's num_batches_tracked): accepted, checked, and left out like the weights' importer wants.
            ["LongStorage"] = 8, ["IntStorage"] = 4, ["ShortStorage"] = 2, ["CharStorage"] = 1, ["ByteStorage"] = 1, ["BoolStorage"] = 1,
        };

        private static bool IsFloat(string type) => type is "FloatStorage" or "DoubleStorage" or "HalfStorage" or "BFloat16Storage";

        private readonly Dictionary<string, float[]> _storages = new(StringComparer.Ordinal);

        public object? Call(PickleGlobal callable, object?[] args) => (callable.Module, callable.Name, args) switch
        {
            ("collections", "OrderedDict", []) => new PickleDict(),
            ("torch._utils", "_rebuild_tensor_v2", [Storage s, long offset, object?[] size, object?[] stride, ..]) => Tensor(s, offset, size, stride),
            ("torch._utils", "_rebuild_parameter", [NamedTensor or IntegerTensor, ..]) => args[0],
            _ => throw new InvalidDataException($"refusing to call {callable} with {args.Length} arguments: a state dict holds tensors only (is this a pickled module? save its state_dict())"),
        };

        // OrderedDict's _metadata (the modules' versions): not part of the weights.
        public object? Build(object? target, object? state) => target is PickleDict ? target
            : throw new InvalidDataException($"refusing to set the state of {Describe(target)}: a state dict holds tensors only");

        public object? Persistent(object? id)
        {
            if (id is not object?[] { Length: 5 } t || t[0] is not "storage" || t[1] is not PickleGlobal { Module: "torch" } type
                || !StorageTypes.TryGetValue(type.Name, out int size) || t[2] is not string key || t[4] is not long elements || elements < 0)
                throw new InvalidDataException("a persistent id that is not a torch storage of numbers");
            var entry = zip.GetEntry($"{root}data/{key}") ?? throw new InvalidDataException($"storage '{key}' is not in the archive");
            if (entry.Length != elements * size) throw new InvalidDataException($"storage '{key}' holds {entry.Length} bytes, not {elements} × {size}");
            return new Storage(type.Name, size, entry, elements);
        }

        private object Tensor(Storage s, long offset, object?[] size, object?[] stride)
        {
            if (size.Any(d => d is not long) || stride.Any(d => d is not long) || size.Length != stride.Length)
                throw new InvalidDataException("a tensor whose size or stride is not a tuple of integers");
            long[] shape = size.Cast<long>().ToArray(), steps = stride.Cast<long>().ToArray();
            if (shape.Any(d => d < 0) || steps.Any(d => d < 0) || offset < 0) throw new InvalidDataException("a tensor with a negative size, stride or offset");
            long count = 1;
            foreach (long d in shape)
            {
                if (d != 0 && count > Array.MaxLength / d) throw new InvalidDataException($"a tensor of shape [{string.Join(",", shape)}], too many elements");
                count *= d;
            }
            long last = offset + shape.Select((d, i) => d == 0 ? 0 : (d - 1) * steps[i]).Sum();
            if (count > 0 && last >= s.Elements) throw new InvalidDataException($"a tensor reaching element {last} of a storage of {s.Elements}");
            if (!IsFloat(s.Type)) return new IntegerTensor();
            var source = Floats(s);
            var data = new float[count];
            var index = new long[shape.Length];
            for (long n = 0; n < count; n++)
            {
                long at = offset;
                for (int i = 0; i < shape.Length; i++) at += index[i] * steps[i];
                data[n] = source[at];
                for (int i = shape.Length - 1; i >= 0 && ++index[i] == shape[i]; i--) index[i] = 0;
            }
            return new NamedTensor("", shape, data);
        }

        private float[] Floats(Storage s)
        {
            string key = s.Entry.FullName;
            if (_storages.TryGetValue(key, out var cached)) return cached;
            var bytes = ReadEntry(s.Entry, path, Array.MaxLength);
            var floats = new float[s.Elements];
            for (long i = 0; i < s.Elements; i++)
                floats[i] = s.Type switch
                {
                    "FloatStorage" => BitConverter.ToSingle(bytes, (int)(4 * i)),
                    "DoubleStorage" => (float)BitConverter.ToDouble(bytes, (int)(8 * i)),
                    "HalfStorage" => (float)BitConverter.ToHalf(bytes, (int)(2 * i)),
                    _ => BitConverter.Int32BitsToSingle(BitConverter.ToUInt16(bytes, (int)(2 * i)) << 16),
                };
            return _storages[key] = floats;
        }
    }
}
