
namespace SphereFace.Models.Onnx;

/// <summary>Element types the project's graphs use, with ONNX's TensorProto.DataType numbers.</summary>
public enum ElementType
{
    /// <summary>32-bit float.</summary>
    Float = (int)TensorProto.Types.DataType.Float,
    /// <summary>32-bit signed integer.</summary>
    Int32 = (int)TensorProto.Types.DataType.Int32,
    /// <summary>64-bit signed integer.</summary>
    Int64 = (int)TensorProto.Types.DataType.Int64,
    /// <summary>Boolean.</summary>
    Bool = (int)TensorProto.Types.DataType.Bool,
}
