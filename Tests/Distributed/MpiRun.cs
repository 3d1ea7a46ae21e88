using System.Diagnostics;

namespace SphereFace.Tests.Distributed;

/// <summary>Runs the CLI (this test build's <c>sphereface.dll</c>) as separate processes: alone, or as ranks under Open MPI's mpirun.</summary>
internal static class MpiRun
{
    private static string Cli => Path.Combine(AppContext.BaseDirectory, "sphereface.dll");

    /// <summary>mpirun on PATH, or a failure saying how to install it (the tests need it; <c>./sphereface test</c> installs it).</summary>
    public static string Mpirun()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, "mpirun"))) return Path.Combine(dir, "mpirun");
        Assert.Fail("mpirun is not installed (Debian: apt-get install openmpi-bin libopenmpi-dev; ./sphereface test installs them).");
        return "";
    }

    /// <summary>The arguments of <c>mpirun</c> for <paramref name="ranks"/> loopback ranks of <c>sphereface args…</c>.</summary>
    public static List<string> RankArguments(int ranks, IEnumerable<string> args) =>
        ["--oversubscribe", "--allow-run-as-root", "-np", ranks.ToString(), "dotnet", Cli, .. args];

    /// <summary>Starts <paramref name="program"/> with output captured.</summary>
    public static Process Start(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        // A test host may itself carry MPI variables; the child decides from its own launcher.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("OMPI_", StringComparison.Ordinal) || k.StartsWith("PMIX_", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(key);
        if (environment is not null) foreach (var (k, v) in environment) info.Environment[k] = v;
        return Process.Start(info)!;
    }

    /// <summary>Runs to the end (at most <paramref name="timeout"/>): exit code, stdout, stderr.</summary>
    public static (int Code, string Output, string Error) Run(string program, IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var p = Start(program, args, environment);
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{program} did not finish within {timeout.TotalSeconds:F0} s");
        }
        p.WaitForExit();
        return (p.ExitCode, output.Result, error.Result);
    }

    /// <summary>One process: <c>dotnet sphereface.dll args…</c>.</summary>
    public static (int Code, string Output, string Error) Alone(IEnumerable<string> args) =>
        Run("dotnet", [Cli, .. args], TimeSpan.FromMinutes(3));

    /// <summary><paramref name="ranks"/> ranks under mpirun.</summary>
    public static (int Code, string Output, string Error) Ranks(int ranks, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null) =>
        Run(Mpirun(), RankArguments(ranks, args), TimeSpan.FromMinutes(3), environment);

    /// <summary>The pid of rank <paramref name="rank"/> among the children of mpirun <paramref name="mpirun"/>, once it runs.</summary>
    public static int RankPid(Process mpirun, int rank)
    {
        string wanted = $"OMPI_COMM_WORLD_RANK={rank}";
        foreach (var dir in Directory.GetDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                int parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
                if (parent != mpirun.Id) continue;
                if (File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains(wanted)) return int.Parse(Path.GetFileName(dir));
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return -1;
    }
}
