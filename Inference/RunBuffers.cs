using Microsoft.ML.OnnxRuntime;

namespace SphereFace.Inference;

/// <summary>
/// Input and output tensors for one run of a fixed number of images, allocated once and bound to ONNX Runtime
/// values over the same (pinned) memory, so repeated runs of that size allocate nothing model-sized.
/// </summary>
internal sealed class RunBuffers : IDisposable
{
    public RunBuffers(int images, int height, int width, int embeddingSize)
    {
        Images = images;
        Input = new float[(long)images * 3 * height * width];
        Output = new float[(long)images * embeddingSize];
        InputValues = [OrtValue.CreateTensorValueFromMemory(Input, [images, 3, height, width])];
        OutputValues = [OrtValue.CreateTensorValueFromMemory(Output, [images, embeddingSize])];
    }

    /// <summary>Images per run.</summary>
    public int Images { get; }

    /// <summary>NCHW input data.</summary>
    public float[] Input { get; }

    /// <summary>[N, E] output data.</summary>
    public float[] Output { get; }

    /// <summary>The input bound as an ONNX Runtime value.</summary>
    public OrtValue[] InputValues { get; }

    /// <summary>The output bound as an ONNX Runtime value.</summary>
    public OrtValue[] OutputValues { get; }

    public void Dispose()
    {
        InputValues[0].Dispose();
        OutputValues[0].Dispose();
    }
}
