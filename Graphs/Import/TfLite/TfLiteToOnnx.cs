using System.Buffers.Binary;
using SphereFace.Models.Onnx;
using static SphereFace.Graphs.Import.TfLite.TfLiteSchema;

namespace SphereFace.Graphs.Import.TfLite;

/// <summary>
/// What <see cref="TfLiteToOnnx.Convert"/> makes of a TFLite model: the names of the ONNX graph's input and outputs
/// (in the TFLite subgraph's order; null keeps the TFLite tensor's name), and metadata to record.
/// </summary>
public sealed record TfLiteImportOptions(string InputName = "input", IReadOnlyList<string>? OutputNames = null, string GraphName = "tflite_import",
    IReadOnlyDictionary<string, string>? Metadata = null);

/// <summary>
/// Converts a TFLite model (a float one, whose weights may be stored as float16 behind DEQUANTIZE) to an ONNX graph of
/// opset 17 that passes ONNX's full check. Layouts are explicit: the ONNX input is NCHW [N, C, H, W] (TFLite's is
/// NHWC), every 4-D activation between the converted convolutions stays NCHW, a Transpose appears only where an
/// operator needs TFLite's NHWC order (RESHAPE, a concatenation of non-image tensors) and before each output, so the
/// outputs have TFLite's shapes and element order with the batch dynamic. float16 weights are stored as float32.
/// Operators: ADD, CONCATENATION, CONV_2D, DEPTHWISE_CONV_2D, DEQUANTIZE (of constants), LOGISTIC, MAX_POOL_2D, PAD,
/// PRELU, RELU, RELU6, RESHAPE, RESIZE_BILINEAR; any other, a custom op, a quantized or sparse tensor is refused
/// naming the operator.
/// </summary>
public static class TfLiteToOnnx
{
    /// <summary>Converts the TFLite model in <paramref name="bytes"/>; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The file is not a readable TFLite model.</exception>
    /// <exception cref="NotSupportedException">An operator, tensor type or shape the converter does not handle; the message names it.</exception>
    public static ModelProto Convert(byte[] bytes, string source, TfLiteImportOptions? options = null)
    {
        options ??= new TfLiteImportOptions();
        var file = TfLiteFile.Read(bytes, source);
        try
        {
            return new Converter(file, options).Run();
        }
        catch (CorruptFlatBufferException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}.", e);
        }
    }

    /// <summary>A converted tensor: its ONNX value and TFLite shape; 4-D activations may be held in NCHW.</summary>
    private sealed record Value(string Name, int[] Shape, bool Nchw, float[]? Floats = null, int[]? Ints = null)
    {
        public bool IsConstant => Floats is not null || Ints is not null;
    }

    private sealed class Converter(TfLiteFile file, TfLiteImportOptions options)
    {
        private readonly Dictionary<int, Value> _values = [];
        private readonly List<NodeProto> _nodes = [];
        private readonly List<TensorProto> _initializers = [];
        private readonly HashSet<string> _names = [];
        private int _fresh;

        public ModelProto Run()
        {
            if (file.Inputs.Length != 1) throw new NotSupportedException($"{file.Source}: {file.Inputs.Length} inputs; the converter takes models with one image input.");
            var input = file.Tensors[file.Inputs[0]];
            if (input.Shape.Length != 4 || input.Type != TensorType.Float32)
                throw new NotSupportedException($"{file.Source}: input '{input.Name}' is {input.Type} [{string.Join(",", input.Shape)}]; expected a float32 NHWC image.");
            Reserve(options.InputName);
            _values[input.Index] = new Value(options.InputName, input.Shape, Nchw: true);
            foreach (var op in file.Operators) Convert(op);

            var graph = new GraphProto { Name = options.GraphName };
            graph.Input.Add(ValueInfo(options.InputName, ["N", input.Shape[3], input.Shape[1], input.Shape[2]]));
            for (int k = 0; k < file.Outputs.Length; k++)
            {
                var tensor = file.Tensors[file.Outputs[k]];
                var value = Get(tensor.Index, "the graph's output");
                string plain = value.Shape.Length == 4 ? Nhwc(value) : value.Name;
                // A name given is taken as it is (or refused); a TFLite tensor's name may already name the value inside.
                string name = options.OutputNames is { } names && k < names.Count ? names[k] : Fresh(Sanitise(tensor.Name));
                if (options.OutputNames is { } given && k < given.Count) Reserve(name);
                _nodes.Add(Node("Identity", [plain], [name], name));
                graph.Output.Add(ValueInfo(name, ["N", .. tensor.Shape.Skip(1).Select(d => (object)d)]));
            }
            graph.Node.AddRange(_nodes);
            graph.Initializer.AddRange(_initializers);
            var model = new ModelProto
            {
                IrVersion = Building.GraphBuilder.IrVersion, ProducerName = "sphereface import tflite", ProducerVersion = "1.0", Graph = graph,
                DocString = $"Converted from the TFLite model {Path.GetFileName(file.Source)}" + (file.Description is { Length: > 0 } d ? $" ({d})" : ""),
            };
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Building.GraphBuilder.Opset });
            foreach (var (key, v) in options.Metadata ?? new Dictionary<string, string>())
                model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = v });
            return model;
        }

        /// <summary>Operands each operator reads (at least) and writes; a file naming fewer, or none (-1) where one is needed, is malformed.</summary>
        private static int Arity(BuiltinOperator op) => op switch
        {
            BuiltinOperator.Conv2D or BuiltinOperator.DepthwiseConv2D or BuiltinOperator.Add or BuiltinOperator.Prelu
                or BuiltinOperator.Pad or BuiltinOperator.ResizeBilinear => 2,
            _ => 1,
        };

        private void Convert(TfLiteOperator op)
        {
            int needed = Arity(op.Builtin);
            if (op.Outputs.Length < 1 || op.Outputs[0] < 0 || op.Inputs.Length < needed || op.Inputs.Take(needed).Any(t => t < 0))
                throw new InvalidDataException($"{file.Source}: operator {op.Index} ({op.Name}) names {op.Inputs.Length} inputs and {op.Outputs.Length} outputs; it needs {needed} and 1.");
            foreach (int t in op.Outputs)
                if (file.Tensors[t] is { Quantized: true } or { Sparse: true })
                    throw new NotSupportedException($"{file.Source}: operator {op.Index} ({op.Name}) makes a quantized or sparse tensor '{file.Tensors[t].Name}'; only float models convert.");
            switch (op.Builtin)
            {
                case BuiltinOperator.Dequantize: Dequantize(op); break;
                case BuiltinOperator.Conv2D: Conv(op, depthwise: false); break;
                case BuiltinOperator.DepthwiseConv2D: Conv(op, depthwise: true); break;
                case BuiltinOperator.MaxPool2D: MaxPool(op); break;
                case BuiltinOperator.Add: Add(op); break;
                case BuiltinOperator.Relu: Unary(op, "Relu"); break;
                case BuiltinOperator.Relu6: Output(op, Activate(Get(op.Inputs[0], op), Activation.Relu6, op), Get(op.Inputs[0], op).Nchw); break;
                case BuiltinOperator.Logistic: Unary(op, "Sigmoid"); break;
                case BuiltinOperator.Prelu: PRelu(op); break;
                case BuiltinOperator.Pad: Pad(op); break;
                case BuiltinOperator.Reshape: Reshape(op); break;
                case BuiltinOperator.Concatenation: Concat(op); break;
                case BuiltinOperator.ResizeBilinear: Resize(op); break;
                default:
                    throw new NotSupportedException($"{file.Source}: operator {op.Index} is {op.Name}, which the converter does not handle " +
                                                    "(ADD, CONCATENATION, CONV_2D, DEPTHWISE_CONV_2D, DEQUANTIZE, LOGISTIC, MAX_POOL_2D, PAD, PRELU, RELU, RELU6, RESHAPE, RESIZE_BILINEAR).");
            }
        }

        // ---- operators ----

        private void Dequantize(TfLiteOperator op)
        {
            var input = file.Tensors[op.Inputs[0]];
            if (!input.IsConstant || input.Type != TensorType.Float16)
                throw new NotSupportedException($"{file.Source}: operator {op.Index} (DEQUANTIZE) of '{input.Name}' ({input.Type}); only float16 constants are dequantized.");
            var output = file.Tensors[op.Outputs[0]];
            if (!output.Shape.SequenceEqual(input.Shape))
                throw new InvalidDataException($"{file.Source}: operator {op.Index} (DEQUANTIZE) maps [{string.Join(",", input.Shape)}] to [{string.Join(",", output.Shape)}].");
            _values[output.Index] = new Value(Sanitise(output.Name), output.Shape, Nchw: false, Floats: Floats(input));
        }

        private void Conv(TfLiteOperator op, bool depthwise)
        {
            var x = Get(op.Inputs[0], op);
            var w = Constant(op.Inputs[1], op, "weights");
            var output = file.Tensors[op.Outputs[0]];
            var o = op.Options ?? throw new InvalidDataException($"{file.Source}: operator {op.Index} ({op.Name}) has no options.");
            int sh, sw, dh, dw;
            Padding padding;
            Activation activation;
            if (depthwise)
            {
                (padding, sw, sh) = ((Padding)o.SByte(DepthwiseConv2DOptions.Padding), o.Int(DepthwiseConv2DOptions.StrideW, 1), o.Int(DepthwiseConv2DOptions.StrideH, 1));
                (dw, dh, activation) = (o.Int(DepthwiseConv2DOptions.DilationW, 1), o.Int(DepthwiseConv2DOptions.DilationH, 1), (Activation)o.SByte(DepthwiseConv2DOptions.Activation));
            }
            else
            {
                (padding, sw, sh) = ((Padding)o.SByte(Conv2DOptions.Padding), o.Int(Conv2DOptions.StrideW, 1), o.Int(Conv2DOptions.StrideH, 1));
                (dw, dh, activation) = (o.Int(Conv2DOptions.DilationW, 1), o.Int(Conv2DOptions.DilationH, 1), (Activation)o.SByte(Conv2DOptions.Activation));
            }
            if (x.Shape.Length != 4 || w.Shape.Length != 4) throw Unsupported(op, "needs a 4-D input and 4-D weights");
            Images(op, x, output);
            int kh = w.Shape[1], kw = w.Shape[2], cin = x.Shape[3];
            // TFLite: conv weights [O, kh, kw, I]; depthwise [1, kh, kw, I·multiplier]. ONNX: [O, I/group, kh, kw].
            int outChannels = depthwise ? w.Shape[3] : w.Shape[0];
            int perGroup = depthwise ? 1 : w.Shape[3];
            if (!depthwise && perGroup != cin) throw Unsupported(op, $"weights take {perGroup} channels, the input has {cin}");
            if (outChannels != output.Shape[3] || w.Floats is null || kh < 1 || kw < 1) throw new InvalidDataException($"{file.Source}: operator {op.Index} ({op.Name}) has weights [{string.Join(",", w.Shape)}] for an output of [{string.Join(",", output.Shape)}].");
            if (depthwise && (w.Shape[0] != 1 || outChannels % cin != 0)) throw Unsupported(op, $"depthwise weights [{string.Join(",", w.Shape)}] do not fit {cin} input channels");
            var oihw = new float[w.Floats!.Length];
            for (int m = 0; m < outChannels; m++)
                for (int c = 0; c < perGroup; c++)
                    for (int i = 0; i < kh; i++)
                        for (int j = 0; j < kw; j++)
                            oihw[((m * perGroup + c) * kh + i) * kw + j] = depthwise
                                ? w.Floats[(i * kw + j) * outChannels + m]
                                : w.Floats[((m * kh + i) * kw + j) * cin + c];
            var inputs = new List<string> { Nchw(x), Initializer(Fresh("w"), oihw, [outChannels, perGroup, kh, kw]) };
            if (op.Inputs.Length > 2 && op.Inputs[2] >= 0)
            {
                var b = Constant(op.Inputs[2], op, "bias");
                if (b.Floats is not { } bias || bias.Length != outChannels) throw new InvalidDataException($"{file.Source}: operator {op.Index} ({op.Name}) has a bias of [{string.Join(",", b.Shape)}] for {outChannels} channels.");
                inputs.Add(Initializer(Fresh("b"), b.Floats!, [outChannels]));
            }
            var (pt, pb) = Pads(padding, x.Shape[1], output.Shape[1], kh, sh, dh);
            var (pl, pr) = Pads(padding, x.Shape[2], output.Shape[2], kw, sw, dw);
            string y = Emit("Conv", inputs, op, [Attr.Ints("kernel_shape", kh, kw), Attr.Ints("strides", sh, sw), Attr.Ints("dilations", dh, dw),
                Attr.Ints("pads", pt, pl, pb, pr), Attr.Int("group", depthwise ? cin : 1)]);
            Output(op, Activate(new Value(y, output.Shape, Nchw: true), activation, op), nchw: true);
        }

        private void MaxPool(TfLiteOperator op)
        {
            var x = Get(op.Inputs[0], op);
            var output = file.Tensors[op.Outputs[0]];
            var o = op.Options ?? throw new InvalidDataException($"{file.Source}: operator {op.Index} ({op.Name}) has no options.");
            Images(op, x, output);
            var padding = (Padding)o.SByte(Pool2DOptions.Padding);
            int sw = o.Int(Pool2DOptions.StrideW, 1), sh = o.Int(Pool2DOptions.StrideH, 1);
            int fw = o.Int(Pool2DOptions.FilterWidth, 1), fh = o.Int(Pool2DOptions.FilterHeight, 1);
            var (pt, pb) = Pads(padding, x.Shape[1], output.Shape[1], fh, sh, 1);
            var (pl, pr) = Pads(padding, x.Shape[2], output.Shape[2], fw, sw, 1);
            string y = Emit("MaxPool", [Nchw(x)], op, [Attr.Ints("kernel_shape", fh, fw), Attr.Ints("strides", sh, sw), Attr.Ints("pads", pt, pl, pb, pr)]);
            Output(op, Activate(new Value(y, output.Shape, Nchw: true), (Activation)o.SByte(Pool2DOptions.Activation), op), nchw: true);
        }

        private void Add(TfLiteOperator op)
        {
            var (a, b) = (Get(op.Inputs[0], op), Get(op.Inputs[1], op));
            bool nchw = (a.Nchw && !a.IsConstant) || (b.Nchw && !b.IsConstant);
            string y = Emit("Add", [Operand(a, nchw, op), Operand(b, nchw, op)], op);
            var output = file.Tensors[op.Outputs[0]];
            Output(op, Activate(new Value(y, output.Shape, nchw), (Activation)(op.Options?.SByte(AddOptions.Activation) ?? 0), op), nchw);
        }

        private void Unary(TfLiteOperator op, string onnx)
        {
            var x = Get(op.Inputs[0], op);
            Output(op, new Value(Emit(onnx, [x.IsConstant ? Operand(x, false, op) : x.Name], op), file.Tensors[op.Outputs[0]].Shape, x.Nchw), x.Nchw);
        }

        private void PRelu(TfLiteOperator op)
        {
            var x = Get(op.Inputs[0], op);
            var alpha = Constant(op.Inputs[1], op, "alpha");
            Output(op, new Value(Emit("PRelu", [x.Name, Operand(alpha, x.Nchw, op)], op), file.Tensors[op.Outputs[0]].Shape, x.Nchw), x.Nchw);
        }

        private void Pad(TfLiteOperator op)
        {
            var x = Get(op.Inputs[0], op);
            var paddings = Constant(op.Inputs[1], op, "paddings").Ints ?? throw Unsupported(op, "paddings must be int32");
            int rank = x.Shape.Length;
            if (paddings.Length != 2 * rank) throw Unsupported(op, $"{paddings.Length / 2} paddings for a rank-{rank} input");
            // TFLite [rank, 2] (begin, end) per axis in NHWC; ONNX all begins, then all ends, in the tensor's own axis order.
            int[] axes = x.Nchw && rank == 4 ? [0, 3, 1, 2] : Enumerable.Range(0, rank).ToArray();
            var pads = axes.Select(a => (long)paddings[2 * a]).Concat(axes.Select(a => (long)paddings[2 * a + 1])).ToArray();
            string y = Emit("Pad", [x.Name, Int64(Fresh("pads"), pads)], op, [Attr.String("mode", "constant")]);
            Output(op, new Value(y, file.Tensors[op.Outputs[0]].Shape, x.Nchw), x.Nchw);
        }

        private void Reshape(TfLiteOperator op)
        {
            var x = Get(op.Inputs[0], op);
            var output = file.Tensors[op.Outputs[0]];
            // The batch (TFLite's 1) stays the ONNX input's: 0 copies it; the other axes are TFLite's, in NHWC order.
            if (output.Shape.Length == 0 || x.Shape.Length == 0 || output.Shape[0] != x.Shape[0]) throw Unsupported(op, "the reshape moves the batch axis");
            string plain = x.Shape.Length == 4 ? Nhwc(x) : x.Name;
            long[] shape = [0, .. output.Shape.Skip(1).Select(d => (long)d)];
            Output(op, new Value(Emit("Reshape", [plain, Int64(Fresh("shape"), shape)], op), output.Shape, Nchw: false), nchw: false);
        }

        private void Concat(TfLiteOperator op)
        {
            var parts = op.Inputs.Select(i => Get(i, op)).ToArray();
            var output = file.Tensors[op.Outputs[0]];
            int rank = output.Shape.Length;
            int axis = op.Options?.Int(ConcatenationOptions.Axis) ?? 0;
            if (axis < 0) axis += rank;
            bool nchw = rank == 4 && parts.Any(p => p.Nchw && !p.IsConstant);
            int onnxAxis = nchw ? new[] { 0, 2, 3, 1 }[axis] : axis;
            var names = parts.Select(p => p.IsConstant ? Operand(p, nchw, op) : nchw ? Nchw(p) : p.Shape.Length == 4 ? Nhwc(p) : p.Name).ToList();
            string y = Emit("Concat", names, op, [Attr.Int("axis", onnxAxis)]);
            Output(op, Activate(new Value(y, output.Shape, nchw), (Activation)(op.Options?.SByte(ConcatenationOptions.Activation) ?? 0), op), nchw);
        }

        private void Resize(TfLiteOperator op)
        {
            var x = Get(op.Inputs[0], op);
            var output = file.Tensors[op.Outputs[0]];
            bool align = op.Options?.Bool(ResizeBilinearOptions.AlignCorners) ?? false;
            bool half = op.Options?.Bool(ResizeBilinearOptions.HalfPixelCenters) ?? false;
            string mode = align ? "align_corners" : half ? "half_pixel" : "asymmetric";
            Images(op, x, output);
            // Scales rather than sizes: the batch is dynamic. The factors are exact for the integer ratios these nets use.
            float[] scales = [1f, 1f, (float)output.Shape[1] / x.Shape[1], (float)output.Shape[2] / x.Shape[2]];
            string y = Emit("Resize", [Nchw(x), "", Initializer(Fresh("scales"), scales, [4])], op,
                [Attr.String("mode", "linear"), Attr.String("coordinate_transformation_mode", mode)]);
            Output(op, new Value(y, output.Shape, Nchw: true), nchw: true);
        }

        private Value Activate(Value x, Activation activation, TfLiteOperator op) => activation switch
        {
            TfLiteSchema.Activation.None => x,
            TfLiteSchema.Activation.Relu => x with { Name = Emit("Relu", [x.Name], op, suffix: "relu") },
            TfLiteSchema.Activation.Relu6 => x with { Name = Emit("Clip", [x.Name, Initializer(Fresh("zero"), [0f], []), Initializer(Fresh("six"), [6f], [])], op, suffix: "relu6") },
            _ => throw Unsupported(op, $"fused activation {activation}"),
        };

        // ---- values and layouts ----

        private Value Get(int tensor, TfLiteOperator op) => Get(tensor, $"operator {op.Index} ({op.Name})");

        private Value Get(int tensor, string user)
        {
            if (_values.TryGetValue(tensor, out var v)) return v;
            if (tensor < 0) throw new InvalidDataException($"{file.Source}: {user} reads no tensor (-1) where it needs one.");
            var t = file.Tensors[tensor];
            if (!t.IsConstant) throw new InvalidDataException($"{file.Source}: {user} reads tensor '{t.Name}' before any operator wrote it.");
            var value = t.Type switch
            {
                TensorType.Float32 or TensorType.Float16 => new Value(Sanitise(t.Name), t.Shape, false, Floats: Floats(t)),
                TensorType.Int32 => new Value(Sanitise(t.Name), t.Shape, false, Ints: Ints(t)),
                _ => throw new NotSupportedException($"{file.Source}: constant '{t.Name}' is {t.Type}; the converter reads float32, float16 and int32 constants."),
            };
            return _values[tensor] = value;
        }

        /// <summary>An image operator's input and output are 4-D NHWC with sizes: the file says so, or it is malformed.</summary>
        private void Images(TfLiteOperator op, Value x, TfLiteTensor output)
        {
            if (x.Shape.Length != 4 || output.Shape.Length != 4 || x.Shape.Skip(1).Any(d => d < 1) || output.Shape.Skip(1).Any(d => d < 1))
                throw new InvalidDataException($"{file.Source}: operator {op.Index} ({op.Name}) maps [{string.Join(",", x.Shape)}] to [{string.Join(",", output.Shape)}]; both must be NHWC images.");
        }

        private Value Constant(int tensor, TfLiteOperator op, string what)
        {
            var v = Get(tensor, op);
            if (!v.IsConstant) throw Unsupported(op, $"its {what} are computed, not constant");
            return v;
        }

        /// <summary>A constant operand of an element-wise op next to activations in <paramref name="nchw"/> order (broadcast as TFLite does).</summary>
        private string Operand(Value v, bool nchw, TfLiteOperator op)
        {
            if (!v.IsConstant) return nchw ? Nchw(v) : v.Shape.Length == 4 && v.Nchw ? Nhwc(v) : v.Name;
            var floats = v.Floats ?? throw Unsupported(op, "an integer operand");
            if (!nchw) return Initializer(Fresh(v.Name), floats, v.Shape.Select(d => (long)d).ToArray());
            // NumPy broadcasting aligns trailing axes: pad to rank 4 in NHWC, then reorder to NCHW.
            var s = Enumerable.Repeat(1, 4 - v.Shape.Length).Concat(v.Shape).ToArray();
            var reordered = new float[floats.Length];
            for (int n = 0; n < s[0]; n++)
                for (int h = 0; h < s[1]; h++)
                    for (int w = 0; w < s[2]; w++)
                        for (int c = 0; c < s[3]; c++)
                            reordered[((n * s[3] + c) * s[1] + h) * s[2] + w] = floats[((n * s[1] + h) * s[2] + w) * s[3] + c];
            return Initializer(Fresh(v.Name), reordered, [s[0], s[3], s[1], s[2]]);
        }

        private string Nchw(Value v)
        {
            if (v.Shape.Length != 4) throw new NotSupportedException($"{file.Source}: '{v.Name}' [{string.Join(",", v.Shape)}] is used as an image but is not 4-D.");
            return v.Nchw ? v.Name : Transpose(v.Name, [0, 3, 1, 2], "nchw");
        }

        private string Nhwc(Value v) => v.Nchw ? Transpose(v.Name, [0, 2, 3, 1], "nhwc") : v.Name;

        private readonly Dictionary<(string, string), string> _transposed = [];

        private string Transpose(string name, long[] perm, string suffix)
        {
            if (_transposed.TryGetValue((name, suffix), out var done)) return done;
            string output = Fresh($"{name}/{suffix}");
            _nodes.Add(Node("Transpose", [name], [output], output, [Attr.Ints("perm", perm)]));
            return _transposed[(name, suffix)] = output;
        }

        private void Output(TfLiteOperator op, Value value, bool nchw) =>
            _values[op.Outputs[0]] = value with { Nchw = nchw && value.Shape.Length == 4 };

        private string Emit(string type, IReadOnlyList<string> inputs, TfLiteOperator op, AttributeProto[]? attributes = null, string? suffix = null)
        {
            var tensor = file.Tensors[op.Outputs[0]];
            string output = Fresh(Sanitise(tensor.Name) + (suffix is null ? "" : "/" + suffix));
            _nodes.Add(Node(type, inputs, [output], output, attributes));
            return output;
        }

        private static NodeProto Node(string type, IEnumerable<string> inputs, IEnumerable<string> outputs, string name, AttributeProto[]? attributes = null)
        {
            var node = new NodeProto { OpType = type, Name = name };
            node.Input.AddRange(inputs);
            node.Output.AddRange(outputs);
            if (attributes is not null) node.Attribute.AddRange(attributes);
            return node;
        }

        private string Initializer(string name, float[] data, long[] shape)
        {
            _initializers.Add(TensorProtos.Float(name, data, shape));
            return name;
        }

        private string Int64(string name, long[] data)
        {
            _initializers.Add(TensorProtos.Int64(name, data, [data.Length]));
            return name;
        }

        private void Reserve(string name)
        {
            if (!_names.Add(name)) throw new ArgumentException($"ONNX name '{name}' is used twice.");
        }

        private string Fresh(string stem)
        {
            string name = stem;
            while (!_names.Add(name)) name = $"{stem}_{++_fresh}";
            return name;
        }

        private NotSupportedException Unsupported(TfLiteOperator op, string why) =>
            new($"{file.Source}: operator {op.Index} ({op.Name}) cannot be converted: {why}.");

        private static (long Begin, long End) Pads(Padding padding, int input, int output, int kernel, int stride, int dilation)
        {
            if (padding == Padding.Valid) return (0, 0);
            long total = Math.Max(0L, (long)(output - 1) * stride + (long)(kernel - 1) * dilation + 1 - input);
            return (total / 2, total - total / 2);
        }

        private static ValueInfoProto ValueInfo(string name, IEnumerable<object> dims)
        {
            var shape = new TensorShapeProto();
            foreach (var d in dims)
                shape.Dim.Add(d is string s ? new TensorShapeProto.Types.Dimension { DimParam = s } : new TensorShapeProto.Types.Dimension { DimValue = System.Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture) });
            return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)ElementType.Float, Shape = shape } } };
        }

        private float[] Floats(TfLiteTensor t)
        {
            var span = t.Data.Span;
            long expected = t.Elements * (t.Type == TensorType.Float16 ? 2 : 4);
            if (span.Length != expected) throw new InvalidDataException($"{file.Source}: constant '{t.Name}' holds {span.Length} bytes, its shape needs {expected}.");
            var result = new float[t.Elements];
            for (int i = 0; i < result.Length; i++)
                result[i] = t.Type == TensorType.Float16 ? (float)BinaryPrimitives.ReadHalfLittleEndian(span[(2 * i)..]) : BinaryPrimitives.ReadSingleLittleEndian(span[(4 * i)..]);
            return result;
        }

        private int[] Ints(TfLiteTensor t)
        {
            var span = t.Data.Span;
            if (span.Length != t.Elements * 4) throw new InvalidDataException($"{file.Source}: constant '{t.Name}' holds {span.Length} bytes, its shape needs {t.Elements * 4}.");
            var result = new int[t.Elements];
            for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt32LittleEndian(span[(4 * i)..]);
            return result;
        }

        private static string Sanitise(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '_' or '/' or '.' or '-' or ':' ? c : '_'));
    }
}
