namespace SphereFace.Graphs.Import.TfLite;

/// <summary>
/// The subset of TensorFlow Lite's FlatBuffers schema (tensorflow/lite/schema/schema.fbs, file identifier "TFL3") that
/// the importer reads: field indices of the tables, and the enum values of the operators, tensor types, paddings and
/// fused activations it understands. Facts of the format; the names follow the schema.
/// </summary>
internal static class TfLiteSchema
{
    /// <summary>The file identifier at bytes 4–7 of every .tflite file.</summary>
    public const string FileIdentifier = "TFL3";

    /// <summary>table Model { version; operator_codes; subgraphs; description; buffers; … }</summary>
    public static class Model
    {
        public const int Version = 0, OperatorCodes = 1, Subgraphs = 2, Description = 3, Buffers = 4;
    }

    /// <summary>table SubGraph { tensors; inputs; outputs; operators; name; }</summary>
    public static class SubGraph
    {
        public const int Tensors = 0, Inputs = 1, Outputs = 2, Operators = 3, Name = 4;
    }

    /// <summary>table Tensor { shape; type; buffer; name; quantization; is_variable; sparsity; shape_signature; }</summary>
    public static class Tensor
    {
        public const int Shape = 0, Type = 1, Buffer = 2, Name = 3, Quantization = 4, Sparsity = 6;
    }

    /// <summary>table Operator { opcode_index; inputs; outputs; builtin_options_type; builtin_options; custom_options; }</summary>
    public static class Operator
    {
        public const int OpcodeIndex = 0, Inputs = 1, Outputs = 2, BuiltinOptionsType = 3, BuiltinOptions = 4, CustomOptions = 5;
    }

    /// <summary>table OperatorCode { deprecated_builtin_code:byte; custom_code; version; builtin_code:int; }</summary>
    public static class OperatorCode
    {
        public const int DeprecatedBuiltinCode = 0, CustomCode = 1, Version = 2, BuiltinCode = 3;
        /// <summary>Codes up to this one are also stored in the deprecated byte field (older files have only that).</summary>
        public const int PlaceholderForGreaterOpCodes = 127;
    }

    /// <summary>table Buffer { data:[ubyte]; offset; size; }</summary>
    public static class Buffer
    {
        public const int Data = 0;
    }

    /// <summary>table Conv2DOptions { padding; stride_w; stride_h; fused_activation_function; dilation_w_factor; dilation_h_factor; }</summary>
    public static class Conv2DOptions
    {
        public const int Padding = 0, StrideW = 1, StrideH = 2, Activation = 3, DilationW = 4, DilationH = 5;
    }

    /// <summary>table DepthwiseConv2DOptions { padding; stride_w; stride_h; depth_multiplier; fused_activation_function; dilation_w_factor; dilation_h_factor; }</summary>
    public static class DepthwiseConv2DOptions
    {
        public const int Padding = 0, StrideW = 1, StrideH = 2, DepthMultiplier = 3, Activation = 4, DilationW = 5, DilationH = 6;
    }

    /// <summary>table Pool2DOptions { padding; stride_w; stride_h; filter_width; filter_height; fused_activation_function; }</summary>
    public static class Pool2DOptions
    {
        public const int Padding = 0, StrideW = 1, StrideH = 2, FilterWidth = 3, FilterHeight = 4, Activation = 5;
    }

    /// <summary>table ConcatenationOptions { axis; fused_activation_function; }</summary>
    public static class ConcatenationOptions
    {
        public const int Axis = 0, Activation = 1;
    }

    /// <summary>table AddOptions { fused_activation_function; pot_scale_int16; }</summary>
    public static class AddOptions
    {
        public const int Activation = 0;
    }

    /// <summary>table ReshapeOptions { new_shape:[int]; }</summary>
    public static class ReshapeOptions
    {
        public const int NewShape = 0;
    }

    /// <summary>table ResizeBilinearOptions { new_height (deprecated); new_width (deprecated); align_corners; half_pixel_centers; }</summary>
    public static class ResizeBilinearOptions
    {
        public const int AlignCorners = 2, HalfPixelCenters = 3;
    }

    /// <summary>enum BuiltinOperator (the operators the importer converts, and the names of all others for messages).</summary>
    public enum BuiltinOperator
    {
        Add = 0, AveragePool2D = 1, Concatenation = 2, Conv2D = 3, DepthwiseConv2D = 4, DepthToSpace = 5, Dequantize = 6,
        EmbeddingLookup = 7, Floor = 8, FullyConnected = 9, HashtableLookup = 10, L2Normalization = 11, L2Pool2D = 12,
        LocalResponseNormalization = 13, Logistic = 14, LshProjection = 15, Lstm = 16, MaxPool2D = 17, Mul = 18, Relu = 19,
        ReluN1To1 = 20, Relu6 = 21, Reshape = 22, ResizeBilinear = 23, Rnn = 24, Softmax = 25, SpaceToDepth = 26, Svdf = 27,
        Tanh = 28, ConcatEmbeddings = 29, SkipGram = 30, Call = 31, Custom = 32, EmbeddingLookupSparse = 33, Pad = 34,
        Gather = 36, BatchToSpaceNd = 37, SpaceToBatchNd = 38, Transpose = 39, Mean = 40, Sub = 41, Div = 42, Squeeze = 43,
        StridedSlice = 45, Exp = 47, Split = 49, LogSoftmax = 50, Cast = 53, Prelu = 54, Maximum = 55, ArgMax = 56,
        Minimum = 57, PadV2 = 60, Slice = 65, TransposeConv = 67, ExpandDims = 70, Sum = 74, Sqrt = 75, Rsqrt = 76,
        Pack = 83, Unpack = 88, ResizeNearestNeighbor = 97, HardSwish = 117,
    }

    /// <summary>enum TensorType (those the importer reads).</summary>
    public enum TensorType : sbyte
    {
        Float32 = 0, Float16 = 1, Int32 = 2, UInt8 = 3, Int64 = 4, String = 5, Bool = 6, Int16 = 7, Complex64 = 8, Int8 = 9,
    }

    /// <summary>enum Padding.</summary>
    public enum Padding : sbyte
    {
        Same = 0, Valid = 1,
    }

    /// <summary>enum ActivationFunctionType.</summary>
    public enum Activation : sbyte
    {
        None = 0, Relu = 1, ReluN1To1 = 2, Relu6 = 3, Tanh = 4, SignBit = 5,
    }
}
