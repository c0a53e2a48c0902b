using BenchmarkDotNet.Running;

namespace IdResolution.Benchmarks;

public static class BenchmarkProgram
{
    /// <summary>Non-zero when any benchmark failed to run, so that the CI's dry pass notices a broken benchmark.</summary>
    public static int Main(string[] args)
    {
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
        var failed = false;
        foreach (var summary in summaries)
        {
            failed |= summary.HasCriticalValidationErrors;
            foreach (var report in summary.Reports)
            {
                failed |= !report.Success;
            }
        }

        return failed ? 1 : 0;
    }
}
