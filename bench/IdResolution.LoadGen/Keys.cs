using Google.Protobuf;
using IdResolution.Contracts.V1;

namespace IdResolution.LoadGen;

/// <summary>The handles a run asks for: one hot key, or a uniform random mix over PREFIX/L-0 .. L-(N-1).</summary>
public sealed class Keys
{
    // Batches made per name and batch size: every name lands in about this many batches of a mix.
    private const int BatchesPerName = 4;

    private readonly string[] _names;

    private Keys(string[] names) => _names = names;

    public static Keys From(int count, string hot, string prefix) =>
        new(count <= 0 ? [hot] : Enumerable.Range(0, count).Select(i => $"{prefix}/L-{i}").ToArray());

    /// <summary>Every name of the run, mapped (a request's bytes made once per name).</summary>
    public T[] Names<T>(Func<string, T> map) => Array.ConvertAll(_names, name => map(name));

    /// <summary>
    /// gRPC request bodies encoded before the run, like wrk's and h2load's: a ResolveRequest per name when
    /// <paramref name="batch"/> is 0, otherwise BatchResolveRequests of that many names drawn at random. Building
    /// and encoding 100 names per call took a third of the generator's CPU from the 2 cores the server is measured on.
    /// </summary>
    public byte[][] Requests(int batch)
    {
        if (batch <= 0)
        {
            return Names(name => new ResolveRequest { Handle = name }.ToByteArray());
        }

        var requests = new byte[Math.Max(1, BatchesPerName * _names.Length / batch)][];
        for (var i = 0; i < requests.Length; i++)
        {
            var request = new BatchResolveRequest();
            for (var j = 0; j < batch; j++)
            {
                request.Handles.Add(Next());
            }

            requests[i] = request.ToByteArray();
        }

        return requests;
    }

    public string Next() => _names.Length == 1 ? _names[0] : _names[Random.Shared.Next(_names.Length)];

    /// <summary>One of <paramref name="requests"/>, uniformly at random.</summary>
    public static byte[] Pick(byte[][] requests) => requests.Length == 1 ? requests[0] : requests[Random.Shared.Next(requests.Length)];
}
