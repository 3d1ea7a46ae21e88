using System.Text;
using Google.FlatBuffers;
using static SphereFace.Graphs.Import.TfLite.TfLiteSchema;

namespace SphereFace.Graphs.Import.TfLite;

/// <summary>A tensor of a TFLite subgraph: shape (NHWC for images), element type, and its constant data when it has any.</summary>
internal sealed record TfLiteTensor(int Index, string Name, int[] Shape, TensorType Type, ReadOnlyMemory<byte> Data, bool Quantized, bool Sparse)
{
    public bool IsConstant => !Data.IsEmpty;
    public long Elements => Shape.Aggregate(1L, (a, d) => a * d);
}

/// <summary>An operator of a TFLite subgraph: its builtin code (or custom name), tensor indices and options table.</summary>
internal sealed record TfLiteOperator(int Index, int Code, string Name, int[] Inputs, int[] Outputs, FlatTable? Options)
{
    public BuiltinOperator Builtin => (BuiltinOperator)Code;
}

/// <summary>
/// A <c>.tflite</c> model (its first subgraph) read with the schema subset of <see cref="TfLiteSchema"/>: tensors,
/// operators in execution order, and the subgraph's inputs and outputs.
/// </summary>
internal sealed class TfLiteFile
{
    private TfLiteFile(string source, string? description, IReadOnlyList<TfLiteTensor> tensors, IReadOnlyList<TfLiteOperator> operators, int[] inputs, int[] outputs)
    {
        Source = source;
        Description = description;
        Tensors = tensors;
        Operators = operators;
        Inputs = inputs;
        Outputs = outputs;
    }

    public string Source { get; }
    public string? Description { get; }
    public IReadOnlyList<TfLiteTensor> Tensors { get; }
    public IReadOnlyList<TfLiteOperator> Operators { get; }
    public int[] Inputs { get; }
    public int[] Outputs { get; }

    /// <summary>Largest file read (the models this project converts are 1–4 MB).</summary>
    public const long MaxBytes = 256L << 20;

    /// <summary>Reads a file; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">Not a TFLite flatbuffer, truncated or inconsistent; the message names the file.</exception>
    public static TfLiteFile Read(byte[] bytes, string source)
    {
        if (bytes.Length < 8 || bytes.Length > MaxBytes)
            throw new InvalidDataException($"{source}: {bytes.Length} bytes is not a TFLite model (expected 8 bytes to {MaxBytes >> 20} MiB).");
        if (Encoding.ASCII.GetString(bytes, 4, 4) != FileIdentifier)
            throw new InvalidDataException($"{source}: not a TFLite model (file identifier '{Encoding.ASCII.GetString(bytes, 4, 4)}', expected '{FileIdentifier}').");
        try
        {
            return Parse(new ByteBuffer(bytes), source);
        }
        catch (CorruptFlatBufferException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}.", e);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException or ArgumentException or OverflowException)
        {
            throw new InvalidDataException($"{source}: the TFLite flatbuffer is truncated or corrupt ({e.Message}).", e);
        }
    }

    private static TfLiteFile Parse(ByteBuffer buffer, string source)
    {
        var model = FlatTable.Root(buffer);
        var subgraphs = model.Tables(Model.Subgraphs);
        if (subgraphs.Count == 0) throw new InvalidDataException($"{source}: the model has no subgraph.");
        var buffers = model.Tables(Model.Buffers);
        var codes = model.Tables(Model.OperatorCodes).Select(c =>
        {
            int code = Math.Max(c.SByte(OperatorCode.DeprecatedBuiltinCode), c.Int(OperatorCode.BuiltinCode));
            return (Code: code, Custom: c.String(OperatorCode.CustomCode));
        }).ToArray();
        var graph = subgraphs[0];
        var tensors = graph.Tables(SubGraph.Tensors).Select((t, i) =>
        {
            int b = t.Int(Tensor.Buffer);
            if (b < 0 || (b > 0 && b >= buffers.Count)) throw new InvalidDataException($"{source}: tensor {i} names buffer {b} of {buffers.Count}.");
            var data = b == 0 || b >= buffers.Count ? ReadOnlyMemory<byte>.Empty : buffers[b].Bytes(TfLiteSchema.Buffer.Data);
            var quantization = t.Table(Tensor.Quantization);
            bool quantized = quantization is { } q && q.Has(2); // QuantizationParameters.scale
            var shape = t.Ints(Tensor.Shape);
            // Dimensions of a model's tensors: -1 marks a dynamic batch; anything else must be a size, and the element
            // count must stay an array's.
            if (shape.Any(d => d < -1) || shape.Select(d => (long)Math.Max(d, 1)).Aggregate(1L, (a, d) => a > int.MaxValue ? a : a * d) > int.MaxValue)
                throw new InvalidDataException($"{source}: tensor {i} has shape [{string.Join(",", shape)}].");
            return new TfLiteTensor(i, t.String(Tensor.Name) ?? $"tensor_{i}", shape, (TensorType)t.SByte(Tensor.Type), data, quantized, t.Has(Tensor.Sparsity));
        }).ToArray();
        var operators = graph.Tables(SubGraph.Operators).Select((o, i) =>
        {
            int index = o.Int(TfLiteSchema.Operator.OpcodeIndex);
            if (index < 0 || index >= codes.Length) throw new InvalidDataException($"{source}: operator {i} names operator code {index} of {codes.Length}.");
            var (code, custom) = codes[index];
            string name = code == (int)BuiltinOperator.Custom ? $"custom op '{custom}'"
                : Enum.IsDefined((BuiltinOperator)code) ? ((BuiltinOperator)code).ToString() : $"builtin operator {code}";
            var inputs = o.Ints(TfLiteSchema.Operator.Inputs);
            var outputs = o.Ints(TfLiteSchema.Operator.Outputs);
            foreach (int t in inputs.Concat(outputs))
                if (t < -1 || t >= tensors.Length) throw new InvalidDataException($"{source}: operator {i} ({name}) names tensor {t} of {tensors.Length}.");
            return new TfLiteOperator(i, code, name, inputs, outputs, o.Table(TfLiteSchema.Operator.BuiltinOptions));
        }).ToArray();
        var inputs = graph.Ints(SubGraph.Inputs);
        var outputs = graph.Ints(SubGraph.Outputs);
        foreach (int t in inputs.Concat(outputs))
            if (t < 0 || t >= tensors.Length) throw new InvalidDataException($"{source}: the subgraph names tensor {t} of {tensors.Length} as an input or output.");
        return new TfLiteFile(source, model.String(Model.Description), tensors, operators, inputs, outputs);
    }
}
