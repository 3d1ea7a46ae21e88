using SphereFace.Graphs.Autodiff;
using SphereFace.Graphs.Building;
using SphereFace.Graphs.Ops;
using SphereFace.Models.Onnx;

namespace SphereFace.Tests.Autodiff;

/// <summary>Finite-difference checks of the Conv gradient rule (input, weight, bias) over strides, pads and odd sizes.</summary>
[TestClass]
public sealed class ConvGradientTests
{
    private static void Check(ulong seed, long n, long c, long m, long h, long w, long k, long stride, long pad, bool bias,
        StridedInputGradient strided = StridedInputGradient.ZeroInsertion, WeightGradient weight = WeightGradient.SwappedConv)
    {
        var check = new GradientCheck(seed)
            .Float("x", [n, c, h, w])
            .Float("w", [m, c, k, k]);
        if (bias) check.Float("b", [m]);
        GraphBuilder? built = null;
        check.Run(g =>
        {
            built = g;
            return g.Node("Conv", bias ? ["x", "w", "b"] : ["x", "w"],
                [Attr.Ints("kernel_shape", k, k), Attr.Ints("strides", stride, stride), Attr.Ints("pads", pad, pad, pad, pad)]);
        }, convGradients: new ConvGradientOptions(StridedInput: strided, Weight: weight));
        // The requested formulation is really the one exercised (not a silent fallback).
        string expected = stride == 1 ? "Conv" : strided switch
        {
            StridedInputGradient.Polyphase => "DepthToSpace",
            StridedInputGradient.ConvTranspose => "ConvTranspose",
            _ => k > stride ? "Concat" : "ConvTranspose",
        };
        Assert.IsTrue(built!.Nodes.Any(n => n.OpType == expected && n.Name.StartsWith("grad/")), $"no backward {expected} node");
    }

    [TestMethod] public void Stride1Pad1() => Check(1, 2, 3, 4, 7, 6, 3, 1, 1, bias: true);
    [TestMethod] public void Stride1Pad0() => Check(2, 2, 2, 3, 6, 5, 3, 1, 0, bias: false);
    [TestMethod] public void Stride2EvenSizeDivisible() => Check(3, 2, 3, 4, 9, 7, 3, 2, 1, bias: true); // (9 + 2 − 3) = 8 divisible
    [TestMethod] public void Stride2NotDivisible() => Check(4, 2, 3, 4, 8, 6, 3, 2, 1, bias: true);   // (8 + 2 − 3) = 7 odd, like 112×96
    [TestMethod] public void Stride2NotDivisibleNoPad() => Check(5, 2, 2, 3, 8, 7, 3, 2, 0, bias: true); // extra row beyond the end pad
    [TestMethod] public void Stride3Kernel1() => Check(6, 1, 2, 2, 7, 8, 1, 3, 0, bias: true);         // kernel < stride
    [TestMethod] public void Stride2ViaConvTranspose() => Check(7, 2, 3, 4, 8, 6, 3, 2, 1, bias: true, StridedInputGradient.ConvTranspose);
    [TestMethod] public void Stride2NoPadViaConvTranspose() => Check(8, 2, 2, 3, 9, 8, 3, 2, 0, bias: false, StridedInputGradient.ConvTranspose);
    [TestMethod] public void Stride2Polyphase() => Check(10, 2, 3, 4, 8, 6, 3, 2, 1, bias: true, StridedInputGradient.Polyphase);
    [TestMethod] public void Stride2PolyphaseOddSizes() => Check(11, 2, 2, 3, 9, 7, 3, 2, 1, bias: false, StridedInputGradient.Polyphase);
    [TestMethod] public void Stride2PolyphaseNoPad() => Check(12, 1, 2, 3, 8, 7, 3, 2, 0, bias: false, StridedInputGradient.Polyphase);
    [TestMethod] public void Stride3PolyphaseKernel5() => Check(13, 1, 2, 2, 11, 10, 5, 3, 2, bias: true, StridedInputGradient.Polyphase);
    [TestMethod] public void Im2ColStride1() => Check(14, 2, 3, 4, 7, 6, 3, 1, 1, bias: true, weight: WeightGradient.Im2ColGemm);
    [TestMethod] public void Im2ColStride2Odd() => Check(15, 2, 3, 4, 8, 7, 3, 2, 1, bias: true, StridedInputGradient.Polyphase, WeightGradient.Im2ColGemm);
    [TestMethod] public void Im2ColStride2NoPad() => Check(16, 2, 2, 3, 8, 7, 3, 2, 0, bias: false, weight: WeightGradient.Im2ColGemm);
    [TestMethod] public void TapGemmsStride1() => Check(17, 2, 3, 4, 7, 6, 3, 1, 1, bias: true, weight: WeightGradient.TapGemms);
    [TestMethod] public void TapGemmsStride2Odd() => Check(18, 2, 3, 4, 8, 7, 3, 2, 0, bias: true, weight: WeightGradient.TapGemms);
    [TestMethod] public void SwappedConvStride2Odd() => Check(19, 2, 3, 4, 8, 7, 3, 2, 1, bias: false, weight: WeightGradient.SwappedConv);
    [TestMethod] public void LargePadFallsBack() => Check(9, 1, 2, 2, 5, 5, 3, 1, 3, bias: false);
}
