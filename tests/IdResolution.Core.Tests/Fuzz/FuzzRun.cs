using CsCheck;

namespace IdResolution.Core.Tests.Fuzz;

/// <summary>
/// Property runs over random inputs. CI runs a short sample; a longer run is
/// <c>CsCheck_Time=600 dotnet test tests/IdResolution.Core.Tests --filter Category=Fuzz</c> (seconds per property),
/// or <c>CsCheck_Iter=</c> for a count. A failure prints the shrunk input and the seed to replay it (<c>CsCheck_Seed=</c>).
/// </summary>
public static class FuzzRun
{
    private const long DefaultIterations = 3000;

    public static void Sample<T>(Gen<T> gen, Action<T> property)
    {
        var time = int.TryParse(Environment.GetEnvironmentVariable("CsCheck_Time"), out var seconds) ? seconds : -1;
        var iter = long.TryParse(Environment.GetEnvironmentVariable("CsCheck_Iter"), out var count) ? count : DefaultIterations;
        gen.Sample(property, iter: iter, time: time);
    }

    /// <summary>Strings a hostile client would send: any UTF-16 (lone surrogates included), control characters, lookalikes, separators.</summary>
    public static readonly Gen<string> HostileText = Gen.OneOf(
        Gen.String,
        Gen.Char.Array[0, 80].Select(c => new string(c)),
        Gen.Char["./%\\ -_:\0\n\r\t\u007f\u0085\u200b\u202e\ufeff\ud800\udc00аАＡ８8aA0ÿ€😀"].Array[0, 60].Select(c => new string(c)),
        Gen.Int[2040, 2060].Select(n => "88.118.8/" + new string('x', n - 9)));
}
