using System.CommandLine;
using SphereFace.Reporting.Plots;

namespace SphereFace.Cli.Commands;

/// <summary><c>plot</c>: training loss/accuracy curves from a run's CSV log.</summary>
internal static class PlotCommand
{
    public static Command Create()
    {
        var log = new Option<string>("--log") { Description = "training CSV (iteration,loss,accuracy,lr,lambda,images_per_s)", Required = true };
        var output = new Option<string?>("--out") { Description = "PNG to write (default: the log's name with .png)" };
        var cmd = new Command("plot", "Plot training loss and accuracy curves from a run's CSV log as a PNG.") { log, output };
        cmd.SetAction(p => CliAction.Run(() =>
        {
            string csv = p.GetValue(log)!;
            string png = p.GetValue(output) ?? Path.ChangeExtension(csv, ".png");
            Inputs.OutputPaths.Check(png, "--out", (csv, "--log"));
            var data = TrainingLog.Read(csv);
            TrainingCurvesPlot.Save(data, png, $"training: {Path.GetFileName(csv)}");
            Console.WriteLine($"{data.Rows} logged iterations → {png}");
            return 0;
        }));
        return cmd;
    }
}
