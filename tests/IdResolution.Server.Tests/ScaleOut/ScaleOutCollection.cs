namespace IdResolution.Server.Tests.ScaleOut;

/// <summary>
/// The scale-out tests run one at a time: they pause and stop the shared PostgreSQL standby, kill processes and load
/// the machine, which other tests of this collection must not see mid-way.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ScaleOutCollection
{
    public const string Name = "ScaleOut";
}
