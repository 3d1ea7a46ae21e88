using OpenCvSharp;
using OpenCvSharp.Dnn;
using SphereFace.Alignment;
using SphereFace.Graphs.Import.Caffe;
using SphereFace.Graphs.Import.Caffe.Schema;
using SphereFace.Inference;
using SphereFace.Tests.Support;

namespace SphereFace.Tests.Import;

/// <summary>
/// import caffe against OpenCV DNN's own Caffe importer (an independent reader of the same prototxt and caffemodel):
/// the imported embedding.onnx on RGB input equals OpenCV's net on the BGR input the original was trained on.
/// </summary>
[TestClass]
public sealed class CaffeImportTests
{
    [TestMethod]
    [DataRow(20)]
    [DataRow(64)]
    public void ImportedModelMatchesOpenCvsCaffeReader(int depth)
    {
        using var dir = new TempDir();
        var (text, model) = CaffeFiles.Write(depth, seed: depth);
        var (prototxt, caffemodel) = CaffeFiles.Save(dir.Path, text, model);
        var (code, error) = CliRun.Run("import", "caffe", "--prototxt", prototxt, "--caffemodel", caffemodel, "--out", dir.File("imported"));
        Assert.AreEqual(0, code, error);
        string onnx = Path.Combine(dir.File("imported"), "embedding.onnx");

        var (rgb, bgr) = ImportReference.Face(5);
        var ours = ImportReference.Run(onnx, rgb);

        using var net = CvDnn.ReadNetFromCaffe(prototxt, caffemodel)!;
        using var blob = new Mat([1, 3, 112, 96], MatType.CV_32F);
        System.Runtime.InteropServices.Marshal.Copy(bgr, 0, blob.Data, bgr.Length);
        net.SetInput(blob);
        using var output = net.Forward("fc5");
        var reference = new float[512];
        System.Runtime.InteropServices.Marshal.Copy(output.Data, reference, 0, 512);
        Assert.IsLessThan(1e-5, ImportReference.RelativeMax(ours, reference, $"sphere{depth} vs OpenCV DNN"));
    }

    [TestMethod]
    public void TheImportedModelRecordsAndHonoursTheOneBasedTemplate()
    {
        using var dir = new TempDir();
        var (text, model) = CaffeFiles.Write(4, seed: 3);
        var (prototxt, caffemodel) = CaffeFiles.Save(dir.Path, text, model);
        var imported = CaffeSphereNetImport.Read(prototxt, caffemodel);
        string onnx = imported.Save(dir.File("imported"));
        using var embedder = new Embedder(onnx);
        Assert.AreEqual(1, embedder.Contract.TemplateOrigin);
        StringAssert.Contains(embedder.Contract.Describe(), "1-based");

        using var photo = Inference.EmbedderFixture.RandomImage(250, 250, 9);
        Point2f[] landmarks = [new(95, 110), new(150, 108), new(124, 140), new(100, 170), new(148, 168)];
        using var aligned = new FaceAligner(FaceTemplateKind.Sphere112x96, TemplateOrigin.OneBased).Align(photo, landmarks);
        CollectionAssert.AreEqual(embedder.EmbedAligned(aligned), embedder.Embed(photo, landmarks), "the Embedder aligns 1-based for this model");
        using var zeroBased = new FaceAligner().Align(photo, landmarks);
        CollectionAssert.AreNotEqual(embedder.EmbedAligned(zeroBased), embedder.Embed(photo, landmarks));
    }

    [TestMethod]
    public void NonSphereNetsAndWrongBlobsAreRefusedNamingTheLayer()
    {
        using var dir = new TempDir();
        var (text, model) = CaffeFiles.Write(4, seed: 1);

        string Refusal(string prototxt, NetParameter m)
        {
            var (p, c) = CaffeFiles.Save(dir.Path, prototxt, m);
            return Assert.ThrowsExactly<InvalidDataException>(() => CaffeSphereNetImport.Read(p, c)).Message;
        }

        string pooling = text.Replace("layer {\n  name: \"conv2_1\"", "layer {\n  name: \"pool1\"\n  type: \"Pooling\"\n  bottom: \"conv1_1\"\n  top: \"pool1\"\n}\nlayer {\n  name: \"conv2_1\"");
        var m1 = Refusal(pooling, model);
        StringAssert.Contains(m1, "pool1");
        StringAssert.Contains(m1, "Pooling");

        var wrong = model.Clone();
        var conv = wrong.Layer.First(l => l.Name == "conv2_1");
        conv.Blobs[0].Shape.Dim[1] = 32;
        var m2 = Refusal(text, wrong);
        StringAssert.Contains(m2, "conv2_1");
        StringAssert.Contains(m2, "[128,64,3,3]");

        string strided = text.Replace("name: \"conv3_1\"\n  type: \"Convolution\"\n  bottom: \"conv2_1\"\n  top: \"conv3_1\"\n  convolution_param {\n    num_output: 256\n    kernel_size: 3\n    stride: 2",
                                      "name: \"conv3_1\"\n  type: \"Convolution\"\n  bottom: \"conv2_1\"\n  top: \"conv3_1\"\n  convolution_param {\n    num_output: 256\n    kernel_size: 3\n    stride: 1");
        Assert.AreNotEqual(text, strided);
        StringAssert.Contains(Refusal(strided, model), "conv3_1");

        var v1 = new NetParameter();
        v1.Layers.Add(new V1LayerParameter { Name = "conv1_1" });
        StringAssert.Contains(Refusal(text, v1), "V1");

        // Hostile numbers and nesting: one line naming the field or the depth, never a parser crash or a stack overflow.
        string notANumber = text.Replace("kernel_size: 3\n    stride: 2", "kernel_size: abc\n    stride: 2");
        Assert.AreNotEqual(text, notANumber);
        StringAssert.Contains(Refusal(notANumber, model), "kernel_size is 'abc'");
        string overflow = text.Replace("num_output: 256", "num_output: 99999999999999999999");
        Assert.AreNotEqual(text, overflow);
        StringAssert.Contains(Refusal(overflow, model), "num_output");
        string deep = string.Concat(Enumerable.Repeat("a { ", 20000)) + string.Concat(Enumerable.Repeat("} ", 20000));
        StringAssert.Contains(Refusal(deep, model), $"nested more than {Prototxt.MaxDepth} deep");
    }

    [TestMethod]
    public void AResidualConvolutionWithANonZeroBiasIsRefused()
    {
        using var dir = new TempDir();
        var (text, model) = CaffeFiles.Write(10, seed: 2);
        model.Layer.First(l => l.Name == "conv2_2").Blobs[1].Data[3] = 0.5f;
        var (p, c) = CaffeFiles.Save(dir.Path, text, model);
        var message = Assert.ThrowsExactly<InvalidDataException>(() => CaffeSphereNetImport.Read(p, c)).Message;
        StringAssert.Contains(message, "conv2_2");
        StringAssert.Contains(message, "bias");
    }

    [TestMethod]
    public void ANonFiniteWeightIsRefusedNamingTheLayer()
    {
        using var dir = new TempDir();
        var (text, model) = CaffeFiles.Write(4, seed: 3);
        model.Layer.First(l => l.Name == "conv2_1").Blobs[0].Data[7] = float.NaN;
        var (p, c) = CaffeFiles.Save(dir.Path, text, model);
        var message = Assert.ThrowsExactly<InvalidDataException>(() => CaffeSphereNetImport.Read(p, c)).Message;
        StringAssert.Contains(message, "conv2_1");
        StringAssert.Contains(message, "value 7 is NaN");
    }
}
