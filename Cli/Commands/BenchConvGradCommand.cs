using System.CommandLine;
using SphereFace.Benchmarks.Training;

namespace SphereFace.Cli.Commands;

/// <summary><c>bench conv-grad</c>: times the exact formulations of conv input/weight gradients on SphereFace layer shapes.</summary>
internal static class BenchConvGradCommand
{
    public static Command Create()
    {
        var batch = new Option<int>("--batch") { Description = "batch size", DefaultValueFactory = _ => 32 };
        var threads = new Option<int>("--threads") { Description = "intra-op threads", DefaultValueFactory = _ => 2 };
        var rounds = new Option<int>("--rounds") { Description = "interleaved timed runs per formulation", DefaultValueFactory = _ => 5 };
        var layers = new Option<string>("--layers") { Description = "comma-separated layer names (conv1_1, conv1_x, …, conv4_x); empty: all", DefaultValueFactory = _ => "" };
        var cmd = new Command("conv-grad", "Time each formulation of the conv gradients (median ms per run) on SphereFace layer shapes.")
        {
            batch, threads, rounds, layers,
        };
        cmd.SetAction(p => CliAction.Run(() =>
        {
            int b = p.GetValue(batch), t = p.GetValue(threads), r = p.GetValue(rounds);
            if (b < 1 || t < 1 || r < 1) throw new Models.Errors.InputException("--batch, --threads and --rounds must be at least 1.");
            var all = ConvGradientComparison.SphereLayers(b);
            var names = p.GetValue(layers)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var n in names)
                if (all.All(l => l.Name != n)) throw new Models.Errors.InputException($"Unknown layer '{n}'; expected one of {string.Join(", ", all.Select(l => l.Name))}.");
            var chosen = names.Length == 0 ? all : all.Where(l => names.Contains(l.Name)).ToList();
            Console.WriteLine($"batch {b}, {t} threads, median of {r} interleaved runs");
            foreach (var timing in ConvGradientComparison.Run(chosen, t, r))
                Console.WriteLine($"  {timing.Layer,-8} {timing.Gradient,-7} {timing.Formulation,-21} {timing.MedianMilliseconds,9:F1} ms  ({timing.Nodes} nodes)");
            return 0;
        }));
        return cmd;
    }
}
