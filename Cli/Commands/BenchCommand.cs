using System.CommandLine;

namespace SphereFace.Cli.Commands;

/// <summary><c>bench</c>: performance measurements, one subcommand each.</summary>
internal static class BenchCommand
{
    public static Command Create() => new("bench", "Benchmarks (training step vs PyTorch).")
    {
        BenchTrainCommand.Create(),
        BenchConvGradCommand.Create(),
    };
}
