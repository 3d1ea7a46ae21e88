using System.CommandLine;
using SphereFace.Cli.Options;
using SphereFace.Cli.Pipeline;
using SphereFace.Models.Errors;
using SphereFace.Training.Distributed;
using SphereFace.Training.Runs;

namespace SphereFace.Cli.Commands;

/// <summary>
/// <c>train</c>: parses the flags into a <see cref="RunPlan"/> (a new run: defaults ← <c>--config</c> ← flags; or
/// <c>--resume</c>) and runs it with <see cref="ConsoleTraining"/>. The plan, the resume rules and the run itself are
/// the library's (docs/training-api.md); this command only says which flag or file set a field the library refuses.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var o = new TrainOptions();
        var cmd = new Command("train", "Train a SphereFace net through the training-step ONNX graph.");
        foreach (var option in o.All) cmd.Options.Add(option);
        cmd.SetAction(p => CliAction.Run(() => MpiCollectives.UnderMpirun ? RunRank(p, o) : Run(p, o, null)));
        return cmd;
    }

    /// <summary>
    /// One rank of <c>mpirun -np K sphereface train</c> (docs/distributed.md). A rank that fails reports why and ends the
    /// whole job with its exit status, so no rank waits for one that is gone.
    /// </summary>
    private static int RunRank(ParseResult p, TrainOptions o)
    {
        using var mpi = new MpiCollectives(MpiCollectives.TimeoutFromEnvironment());
        int code = CliAction.Run(() => Run(p, o, new DataParallel(mpi)));
        if (code != 0 && mpi.Size > 1) mpi.Abort($"stopping the job (exit status {code})", code);
        return code;
    }

    private static int Run(ParseResult p, TrainOptions o, DataParallel? parallel)
    {
        var request = RunSpecRequest.From(p, o);
        int ranks = parallel?.Collectives.Size ?? 1;
        try
        {
            RunPlan plan;
            if (p.GetValue(o.Resume) is { } checkpoint)
                plan = RunPlan.Resume(checkpoint, request.Resume(), ranks);
            else
            {
                var asked = Inputs.DetectedLandmarks.ForTraining(request.NewRun(), parallel is not null);
                plan = request.CheckFixedByGraph(asked, RunPlan.New(asked, ranks));
                if (plan.Spec.Output.Folder is null && !p.GetValue(o.PrintSpec))
                    throw new Models.Errors.InputException("--out (output.folder) is required unless --resume is given.");
            }
            if (p.GetValue(o.PrintSpec))
            {
                if (parallel?.IsWriter ?? true) Console.WriteLine(plan.Spec.ToJson());
                return 0;
            }
            return ConsoleTraining.Run(plan, parallel, p.GetValue(o.RecordBatches)).ExitCode;
        }
        catch (RunSpecException e)
        {
            throw request.Explain(e);
        }
    }
}
