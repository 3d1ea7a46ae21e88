using System.CommandLine;
using SphereFace.Graphs.Losses;
using SphereFace.Models.Native;
using SphereFace.Graphs.Nets;
using SphereFace.Graphs.Ops;
using SphereFace.Graphs.Parameters;
using SphereFace.Graphs.TrainStep;
using SphereFace.Benchmarks.Training;
using SphereFace.Benchmarks.Machine;
using SphereFace.Training.Runs;

namespace SphereFace.Cli.Commands;

/// <summary>
/// <c>bench train</c>: images/s and peak memory of the training step against PyTorch in eager NCHW and channels_last,
/// timed in interleaved rounds (each configuration in its own process or session, nothing else alive), then the
/// op profile and the step's matrix arithmetic against the machine's measured fp32 peak.
/// </summary>
internal static class BenchTrainCommand
{
    private static readonly string[] PeerFormats = ["nchw", "channels_last"];

    public static Command Create()
    {
        var net = new Option<string>("--net") { Description = "sphere4, sphere10, sphere20, sphere36 or sphere64", DefaultValueFactory = _ => "sphere20" };
        var batch = new Option<int>("--batch") { Description = "batch size", DefaultValueFactory = _ => 32 };
        var classes = new Option<int>("--classes") { Description = "classifier width (CASIA-WebFace: 10572)", DefaultValueFactory = _ => 10572 };
        var threads = new Option<int>("--threads") { Description = "intra-op threads for both runtimes", DefaultValueFactory = _ => 2 };
        var warmup = new Option<int>("--warmup") { Description = "untimed steps first, in every round", DefaultValueFactory = _ => 2 };
        var steps = new Option<int>("--steps") { Description = "timed steps per round", DefaultValueFactory = _ => 10 };
        var rounds = new Option<int>("--rounds") { Description = "interleaved rounds (onnxruntime, pytorch nchw, pytorch channels_last); medians are compared", DefaultValueFactory = _ => 3 };
        var profileSteps = new Option<int>("--profile-steps") { Description = "steps of a separate profiled session after the rounds (0: no profile)", DefaultValueFactory = _ => 2 };
        var loss = new Option<string>("--loss") { Description = $"loss head: {string.Join(", ", LossHeads.All.Select(h => h.Name))} (the PyTorch peer always uses a plain softmax classifier)", DefaultValueFactory = _ => "softmax" };
        var noPeer = new Option<bool>("--no-peer") { Description = "skip the PyTorch peers" };
        var kernels = new Option<string>("--kernels") { Description = $"conv kernels of the graph: {string.Join(", ", KernelNames.All)}", DefaultValueFactory = _ => "auto" };
        var strided = new Option<string>("--strided-input-grad") { Description = "standard kernels: polyphase, zero-insertion or conv-transpose (stride-2 conv input gradients)", DefaultValueFactory = _ => "conv-transpose" };
        var weightGrad = new Option<string>("--weight-grad") { Description = "standard kernels: im2col-gemm, tap-gemms or swapped-conv (conv weight gradients)", DefaultValueFactory = _ => "im2col-gemm" };
        var cmd = new Command("train", "Time the full training step (forward, backward, SGD) in ONNX Runtime and PyTorch (eager NCHW and channels_last) in interleaved rounds; print images/s, peak memory, the ratio, the op profile and the matrix work against the machine's fp32 peak.")
        {
            net, batch, classes, threads, warmup, steps, rounds, profileSteps, loss, noPeer, kernels, strided, weightGrad,
        };
        cmd.SetAction(p => CliAction.Run(() =>
        {
            var netConfig = SphereNetConfig.Parse(p.GetValue(net)!);
            int b = Positive(p.GetValue(batch), "--batch"), n = p.GetValue(classes), th = Positive(p.GetValue(threads), "--threads");
            int w = Math.Max(0, p.GetValue(warmup)), s = Positive(p.GetValue(steps), "--steps"), ps = Math.Max(0, p.GetValue(profileSteps));
            int r = Positive(p.GetValue(rounds), "--rounds");
            if (n < 2) throw new Models.Errors.InputException($"--classes must be at least 2, got {n}.");
            var config = new TrainStepConfig(netConfig, LossConfig.Of(p.GetValue(loss)!), n, b, new SolverSpec(),
                KernelChoice.Resolve(KernelNames.Parse(p.GetValue(kernels)!)), new ConvGradientOptions(StridedInput: StridedInput(p.GetValue(strided)!), Weight: WeightGradient(p.GetValue(weightGrad)!)));
            bool peers = !p.GetValue(noPeer);
            Console.WriteLine(MachineDescription.Line());
            Console.WriteLine($"kernels: {config.Kernels}");

            var ort = new List<TrainBenchResult>();
            var torch = PeerFormats.ToDictionary(f => f, _ => new List<PeerResult>());
            for (int round = 0; round < r; round++)
            {
                // Alternate the order so neither runtime always runs first in a round.
                var order = new List<string> { "onnxruntime" };
                if (peers) order.AddRange(PeerFormats);
                if (round % 2 == 1) order.Reverse();
                var line = new List<string>();
                foreach (var who in order)
                {
                    if (who == "onnxruntime")
                    {
                        var result = TimeOnnxRuntime(config, th, w, s, round == 0);
                        ort.Add(result);
                        line.Add($"onnxruntime {result.ImagesPerSecond:F1}");
                    }
                    else
                    {
                        var peer = PytorchPeer.Run(netConfig.Depth, b, n, th, w, s, who);
                        torch[who].Add(peer);
                        line.Add($"pytorch {who} {peer.ImagesPerSecond:F1}");
                    }
                }
                Console.WriteLine($"round {round + 1}/{r} (images/s): {string.Join(" | ", line)}");
            }

            var ortMedian = Median(ort.Select(x => x.ImagesPerSecond));
            Console.WriteLine($"onnxruntime ({config.Kernels.Kernels.Name()}): {ortMedian:F1} images/s median ({b / ortMedian * 1000:F0} ms/step), " +
                              $"loss {ort[0].FirstLoss:F3} → {ort[0].LastLoss:F3}, peak RSS {PeakMemory.ResidentMiB():F0} MiB");
            if (peers)
            {
                foreach (var f in PeerFormats)
                    Console.WriteLine($"pytorch {torch[f][0].TorchVersion} eager {f}: {Median(torch[f].Select(x => x.ImagesPerSecond)):F1} images/s median, " +
                                      $"peak RSS {torch[f].Max(x => x.PeakRssMiB):F0} MiB");
                var best = PeerFormats.MaxBy(f => Median(torch[f].Select(x => x.ImagesPerSecond)))!;
                double bestMedian = Median(torch[best].Select(x => x.ImagesPerSecond));
                Console.WriteLine($"ratio onnxruntime / fastest pytorch ({best}): {ortMedian / bestMedian:F2}×");
            }

            if (ps > 0) PrintProfile(config, th, ps, ortMedian);
            if (config.Kernels.UsesDnnl)
                foreach (var g in DnnlPlugin.Implementations().GroupBy(i => (i.Op, i.Name)).OrderBy(g => g.Key.Op, StringComparer.Ordinal))
                    Console.WriteLine($"  oneDNN {g.Key.Op,-15} {g.Key.Name,-28} {g.Select(i => i.Node).Distinct().Count()} nodes");
            return 0;
        }));
        return cmd;
    }

    /// <summary>One round of ONNX Runtime: a fresh session (seeded parameters), warm-up and timed steps, then disposed.</summary>
    private static TrainBenchResult TimeOnnxRuntime(TrainStepConfig config, int threads, int warmup, int steps, bool describe)
    {
        using var bench = CreateBenchmark(config, threads, describe);
        // The session holds its own copy of the parameters; the managed one (freed with CreateBenchmark's frame)
        // would only add to the peak RSS.
        ManagedMemory.Release();
        return bench.Run(warmup, steps);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static TrainStepBenchmark CreateBenchmark(TrainStepConfig config, int threads, bool describe)
    {
        var store = new ParameterStore(1);
        var step = TrainStepGraph.Build(config, store);
        if (describe)
            Console.WriteLine($"{config.Net.Name}, batch {config.BatchSize}, {config.Classes} classes, {threads} threads, loss {config.Loss}, " +
                              $"kernels {config.Kernels.Kernels.Name()}: {step.Model.Graph.Node.Count} nodes, {store.TotalCount:N0} parameters");
        return new TrainStepBenchmark(step, store, threads);
    }

    private static void PrintProfile(TrainStepConfig config, int threads, int steps, double imagesPerSecond)
    {
        var store = new ParameterStore(1);
        var step = TrainStepGraph.Build(config, store);
        string prefix = Path.Combine(Path.GetTempPath(), $"sphereface-train-profile-{Environment.ProcessId}");
        string file = TrainStepBenchmark.Profile(step, store, threads, steps + 1, prefix);
        var ops = OpProfile.Summarise(file, steps, warmupRuns: 1);
        Console.WriteLine($"slowest op types (ms/step over {steps} profiled steps after one untimed, {file}):");
        foreach (var op in ops.Take(12))
            Console.WriteLine($"  {op.OpType,-22} {op.MillisecondsPerStep,9:F1} ms  {op.Share,6:P1}  ({op.Nodes} nodes)");
        Console.WriteLine("slowest nodes:");
        foreach (var (node, opType, nodeMs) in OpProfile.SlowestNodes(file, steps, 12, warmupRuns: 1))
            Console.WriteLine($"  {nodeMs,9:F1} ms  {opType,-16} {node}");

        var shares = StepArithmetic.FromProfile(file, steps, warmupRuns: 1);
        double gmacs = shares.Sum(x => x.GigaMacsPerStep), ms = shares.Sum(x => x.MillisecondsPerStep);
        double peak = MachinePeak(threads);
        double rate = 2 * gmacs / (ms / 1000);
        Console.WriteLine($"matrix work (profiled session, direct-convolution equivalent): {gmacs:F1} GMAC = {2 * gmacs:F0} GFLOP per step in {ms:F0} ms: " +
                          $"{rate:F0} GFLOP/s = {rate / peak:P0} of the machine's fp32 peak; whole step {2 * gmacs * imagesPerSecond / config.BatchSize:F0} GFLOP/s");
        foreach (var x in shares)
            Console.WriteLine($"  {x.OpType,-14} {x.GigaMacsPerStep,7:F1} GMAC  {x.MillisecondsPerStep,8:F0} ms  {x.GflopsPerSecond,5:F0} GFLOP/s  ({x.Nodes} nodes)");
    }

    /// <summary>Prints and returns the machine's fp32 peak: the better of oneDNN's sgemm and ONNX Runtime's Gemm on 2048³.</summary>
    private static double MachinePeak(int threads)
    {
        double dnnl = PluginLibrary.Dnnl.IsUsable ? DnnlPlugin.SgemmGflops(threads) : 0;
        double ort = GemmRate.Measure(threads);
        Console.WriteLine($"machine fp32 peak, {threads} threads, 2048³ matrix product: oneDNN sgemm {(dnnl > 0 ? $"{dnnl:F0} GFLOP/s" : "n/a (library not loadable)")}, onnxruntime Gemm {ort:F0} GFLOP/s");
        return Math.Max(dnnl, ort);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static StridedInputGradient StridedInput(string value) => value switch
    {
        "polyphase" => StridedInputGradient.Polyphase,
        "zero-insertion" => StridedInputGradient.ZeroInsertion,
        "conv-transpose" => StridedInputGradient.ConvTranspose,
        _ => throw new Models.Errors.InputException($"--strided-input-grad must be polyphase, zero-insertion or conv-transpose, got '{value}'."),
    };

    private static WeightGradient WeightGradient(string value) => value switch
    {
        "im2col-gemm" => Graphs.Ops.WeightGradient.Im2ColGemm,
        "tap-gemms" => Graphs.Ops.WeightGradient.TapGemms,
        "swapped-conv" => Graphs.Ops.WeightGradient.SwappedConv,
        _ => throw new Models.Errors.InputException($"--weight-grad must be im2col-gemm, tap-gemms or swapped-conv, got '{value}'."),
    };

    private static int Positive(int value, string option) =>
        value >= 1 ? value : throw new Models.Errors.InputException($"{option} must be at least 1, got {value}.");
}
