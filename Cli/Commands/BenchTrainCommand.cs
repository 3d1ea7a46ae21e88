using System.CommandLine;
using SphereFace.Graphs.Losses;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Ops;
using SphereFace.Graphs.Parameters;
using SphereFace.Graphs.TrainStep;
using SphereFace.Training.Bench;

namespace SphereFace.Cli.Commands;

/// <summary><c>bench train</c>: images/s, peak memory and op profile of the training step, against a PyTorch peer.</summary>
internal static class BenchTrainCommand
{
    public static Command Create()
    {
        var net = new Option<string>("--net") { Description = "sphere4, sphere10, sphere20, sphere36 or sphere64", DefaultValueFactory = _ => "sphere20" };
        var batch = new Option<int>("--batch") { Description = "batch size", DefaultValueFactory = _ => 32 };
        var classes = new Option<int>("--classes") { Description = "classifier width (CASIA-WebFace: 10572)", DefaultValueFactory = _ => 10572 };
        var threads = new Option<int>("--threads") { Description = "intra-op threads for both runtimes", DefaultValueFactory = _ => 2 };
        var warmup = new Option<int>("--warmup") { Description = "untimed steps first", DefaultValueFactory = _ => 2 };
        var steps = new Option<int>("--steps") { Description = "timed steps", DefaultValueFactory = _ => 10 };
        var profileSteps = new Option<int>("--profile-steps") { Description = "steps of a separate profiled session (0: no profile)", DefaultValueFactory = _ => 2 };
        var loss = new Option<string>("--loss") { Description = "loss head (the PyTorch peer always uses a plain softmax classifier)", DefaultValueFactory = _ => "softmax" };
        var noPeer = new Option<bool>("--no-peer") { Description = "skip the PyTorch peer" };
        var strided = new Option<string>("--strided-input-grad") { Description = "polyphase, zero-insertion or conv-transpose (formulation of stride-2 conv input gradients)", DefaultValueFactory = _ => "conv-transpose" };
        var weightGrad = new Option<string>("--weight-grad") { Description = "im2col-gemm, tap-gemms or swapped-conv (formulation of conv weight gradients)", DefaultValueFactory = _ => "im2col-gemm" };
        var cmd = new Command("train", "Time the full training step (forward, backward, SGD) in ONNX Runtime and a PyTorch peer; print images/s, peak memory, slowest ops and the ratio.")
        {
            net, batch, classes, threads, warmup, steps, profileSteps, loss, noPeer, strided, weightGrad,
        };
        cmd.SetAction(p => CliAction.Run(() =>
        {
            var netConfig = SphereNetConfig.Parse(p.GetValue(net)!);
            int b = Positive(p.GetValue(batch), "--batch"), n = p.GetValue(classes), th = Positive(p.GetValue(threads), "--threads");
            int w = Math.Max(0, p.GetValue(warmup)), s = Positive(p.GetValue(steps), "--steps"), ps = Math.Max(0, p.GetValue(profileSteps));
            if (n < 2) throw new ArgumentException($"--classes must be at least 2, got {n}.");
            ConvGradientOptions.StridedInput = p.GetValue(strided) switch
            {
                "polyphase" => StridedInputGradient.Polyphase,
                "zero-insertion" => StridedInputGradient.ZeroInsertion,
                "conv-transpose" => StridedInputGradient.ConvTranspose,
                var v => throw new ArgumentException($"--strided-input-grad must be polyphase, zero-insertion or conv-transpose, got '{v}'."),
            };
            ConvGradientOptions.Weight = p.GetValue(weightGrad) switch
            {
                "im2col-gemm" => WeightGradient.Im2ColGemm,
                "tap-gemms" => WeightGradient.TapGemms,
                "swapped-conv" => WeightGradient.SwappedConv,
                var v => throw new ArgumentException($"--weight-grad must be im2col-gemm, tap-gemms or swapped-conv, got '{v}'."),
            };
            var store = new ParameterStore(1);
            var config = new TrainStepConfig(netConfig, new LossConfig(LossGraph.Parse(p.GetValue(loss)!)), n, b, new SolverConfig());
            var step = TrainStepGraph.Build(config, store);
            Console.WriteLine($"{netConfig.Name}, batch {b}, {n} classes, {th} threads, loss {config.Loss.Kind}: {step.Model.Graph.Node.Count} nodes, {store.TotalCount:N0} parameters");

            TrainBenchResult ort;
            using (var bench = new TrainStepBenchmark(step, store, th))
                ort = bench.Run(w, s);
            Console.WriteLine($"onnxruntime: {ort.ImagesPerSecond:F1} images/s ({ort.SecondsPerStep * 1000:F0} ms/step), loss {ort.FirstLoss:F3} → {ort.LastLoss:F3}");

            double? boundSeconds = null;
            if (ps > 0)
            {
                string prefix = Path.Combine(Path.GetTempPath(), $"sphereface-train-profile-{Environment.ProcessId}");
                string file = TrainStepBenchmark.Profile(step, store, th, ps + 1, prefix);
                var ops = OpProfile.Summarise(file, ps + 1);
                Console.WriteLine($"slowest op types (ms/step, profiled session, {file}):");
                foreach (var op in ops.Take(12))
                    Console.WriteLine($"  {op.OpType,-22} {op.MillisecondsPerStep,9:F1} ms  {op.Share,6:P1}  ({op.Nodes} nodes)");
                Console.WriteLine("slowest nodes:");
                foreach (var (node, opType, ms) in OpProfile.SlowestNodes(file, ps + 1, 12))
                    Console.WriteLine($"  {ms,9:F1} ms  {opType,-16} {node}");
                boundSeconds = PrintArithmetic(StepArithmetic.FromProfile(file, ps + 1), ort, th);
            }
            Console.WriteLine($"peak RSS (this process): {PeakMemory.ResidentMiB():F0} MiB");

            if (!p.GetValue(noPeer))
            {
                var peer = PytorchPeer.Run(netConfig.Depth, b, n, th, w, s);
                Console.WriteLine($"pytorch {peer.TorchVersion}: {peer.ImagesPerSecond:F1} images/s ({peer.SecondsPerStep * 1000:F0} ms/step), peak RSS {peer.PeakRssMiB:F0} MiB");
                Console.WriteLine($"ratio onnxruntime / pytorch: {ort.ImagesPerSecond / peer.ImagesPerSecond:F2}×");
                if (boundSeconds is double bound)
                    Console.WriteLine($"1.2 × pytorch = {1.2 * peer.ImagesPerSecond:F1} images/s = {peer.SecondsPerStep / 1.2 * 1000:F0} ms/step, " +
                                      $"{bound / (peer.SecondsPerStep / 1.2):P0} of which the matrix products alone would fill at the Gemm rate");
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>
    /// Prints the step's matrix-product arithmetic, the rate it ran at, and the lower bound on the step time that
    /// ONNX Runtime's rate on one large Gemm sets; returns that bound in seconds.
    /// </summary>
    private static double PrintArithmetic(IReadOnlyList<ArithmeticShare> shares, TrainBenchResult ort, int threads)
    {
        double gmacs = shares.Sum(x => x.GigaMacsPerStep), ms = shares.Sum(x => x.MillisecondsPerStep);
        Console.WriteLine($"matrix products (profiled session): {gmacs:F1} GMAC = {2 * gmacs:F0} GFLOP per step in {ms:F0} ms, {2 * gmacs / (ms / 1000):F0} GFLOP/s; " +
                          $"whole step {2 * gmacs / ort.SecondsPerStep:F0} GFLOP/s");
        foreach (var x in shares)
            Console.WriteLine($"  {x.OpType,-14} {x.GigaMacsPerStep,7:F1} GMAC  {x.MillisecondsPerStep,8:F0} ms  {x.GflopsPerSecond,5:F0} GFLOP/s  ({x.Nodes} nodes)");
        double rate = GemmRate.Measure(threads);
        double bound = 2 * gmacs / rate;
        Console.WriteLine($"onnxruntime Gemm 2048×2048×2048, {threads} threads: {rate:F0} GFLOP/s → the matrix products alone need ≥ {bound * 1000:F0} ms/step " +
                          $"(≤ {ort.ImagesPerSecond * ort.SecondsPerStep / bound:F1} images/s with nothing else in the step)");
        return bound;
    }

    private static int Positive(int value, string option) =>
        value >= 1 ? value : throw new ArgumentException($"{option} must be at least 1, got {value}.");
}
