
namespace SphereFace.Models.Onnx;

/// <summary>Element types the project's graphs use, with ONNX's TensorProto.DataType numbers.</summary>
public enum ElementType
{
    Float = (int)TensorProto.Types.DataType.Float,
    Int32 = (int)TensorProto.Types.DataType.Int32,
    Int64 = (int)TensorProto.Types.DataType.Int64,
    Bool = (int)TensorProto.Types.DataType.Bool,
}
