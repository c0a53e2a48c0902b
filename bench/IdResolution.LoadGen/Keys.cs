namespace IdResolution.LoadGen;

/// <summary>The handles a run asks for: one hot key, or a uniform random mix over PREFIX/L-0 .. L-(N-1).</summary>
public sealed class Keys
{
    private readonly string[] _names;

    private Keys(string[] names) => _names = names;

    public static Keys From(int count, string hot, string prefix) =>
        new(count <= 0 ? [hot] : Enumerable.Range(0, count).Select(i => $"{prefix}/L-{i}").ToArray());

    /// <summary>Every name of the run, mapped (a request's bytes made once per name).</summary>
    public T[] Names<T>(Func<string, T> map) => Array.ConvertAll(_names, name => map(name));

    public string Next() => _names.Length == 1 ? _names[0] : _names[Random.Shared.Next(_names.Length)];
}
