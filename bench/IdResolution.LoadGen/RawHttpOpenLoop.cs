using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace IdResolution.LoadGen;

/// <summary>
/// Open-loop HTTP/1.1 latency from one thread and raw sockets, in the manner of wrk2: request k is due at
/// start + k/rate and goes out on the next idle connection; its latency counts from that due time, so time spent
/// waiting for a connection behind slow answers is counted, not hidden. One thread polling its sockets, sleeping
/// 50 us when there is nothing to do: no thread pool, no timer queue (1 ms granularity) and no allocation per
/// request, so that the generator's own delays stay well below the 2 ms it is there to check.
/// </summary>
public static partial class RawHttpOpenLoop
{
    public static int Run(Uri target, Keys keys, double rate, TimeSpan duration, int connectionCount)
    {
        var endpoint = new DnsEndPoint(target.Host, target.Port);
        var connections = new Connection[Math.Max(1, connectionCount)];
        for (var i = 0; i < connections.Length; i++)
        {
            connections[i] = new Connection(endpoint);
        }

        var requests = keys.Names(name => Encoding.ASCII.GetBytes($"GET /api/handles/{name} HTTP/1.1\r\nHost: {target.Authority}\r\n\r\n"));
        var latencies = new Latencies();
        var idle = new Stack<Connection>(connections);
        var busy = new List<Socket>(connections.Length);
        var bySocket = connections.ToDictionary(c => c.Socket);
        var ticksPerRequest = Stopwatch.Frequency / rate;
        var start = Stopwatch.GetTimestamp();
        var total = (long)(rate * duration.TotalSeconds);
        var drainBy = start + (long)((duration.TotalSeconds + 5) * Stopwatch.Frequency);
        var sent = 0L;
        var lost = 0;
        while (sent < total || idle.Count + lost < connections.Length)
        {
            var now = Stopwatch.GetTimestamp();
            if (now > drainBy)
            {
                break;
            }

            var worked = false;
            for (long due; sent < total && idle.Count > 0 && (due = start + (long)(sent * ticksPerRequest)) <= now; sent++)
            {
                var connection = idle.Pop();
                if (!connection.TrySend(requests[Random.Shared.Next(requests.Length)], due))
                {
                    latencies.Error();
                    Replace(connection, endpoint, bySocket, idle, ref lost);
                }

                worked = true;
            }

            busy.Clear();
            foreach (var connection in connections)
            {
                if (connection.Busy)
                {
                    busy.Add(connection.Socket);
                }
            }

            if (busy.Count > 0)
            {
                Socket.Select(busy, null, null, 0);
                foreach (var socket in busy)
                {
                    var connection = bySocket[socket];
                    switch (connection.Receive())
                    {
                        case Answer.Incomplete:
                            break;
                        case Answer.Ok:
                            latencies.Add(Stopwatch.GetElapsedTime(connection.Due).TotalMicroseconds);
                            idle.Push(connection);
                            break;
                        default:
                            latencies.Error();
                            Replace(connection, endpoint, bySocket, idle, ref lost);
                            break;
                    }

                    worked = true;
                }
            }

            if (!worked)
            {
                _ = Sleep(50);
            }
        }

        // Requests never sent, or unanswered when the run gave up waiting, are the slowest of all: counted as errors,
        // so that a server falling behind the rate cannot look on time.
        var unanswered = (total - sent) + (connections.Length - idle.Count - lost);
        for (var i = 0L; i < unanswered; i++)
        {
            latencies.Error();
        }

        Console.WriteLine(latencies.Summary(Stopwatch.GetElapsedTime(start)));
        foreach (var connection in connections)
        {
            connection.Socket.Dispose();
        }

        return 0;
    }

    /// <summary>A connection whose request failed, connected again and idle; or, when the server refuses, lost.</summary>
    private static void Replace(Connection connection, EndPoint endpoint, Dictionary<Socket, Connection> bySocket, Stack<Connection> idle, ref int lost)
    {
        try
        {
            idle.Push(connection.Reconnect(endpoint, bySocket));
        }
        catch (SocketException)
        {
            lost++;
        }
    }

    [LibraryImport("libc", EntryPoint = "usleep")]
    private static partial int Sleep(uint microseconds);

    private enum Answer
    {
        Incomplete,
        Ok,
        Failed,
    }

    /// <summary>One keep-alive connection with at most one request in flight and the bytes of its answer so far.</summary>
    private sealed class Connection
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _received;

        public Connection(EndPoint endpoint)
        {
            Socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            Socket.Connect(endpoint);
        }

        public Socket Socket { get; private set; }

        public bool Busy { get; private set; }

        public long Due { get; private set; }

        public bool TrySend(byte[] request, long due)
        {
            (Due, Busy, _received) = (due, true, 0);
            try
            {
                Socket.Send(request);
                return true;
            }
            catch (SocketException)
            {
                Busy = false;
                return false;
            }
        }

        public Answer Receive()
        {
            int read;
            try
            {
                read = Socket.Receive(_buffer, _received, _buffer.Length - _received, SocketFlags.None);
            }
            catch (SocketException)
            {
                return Answer.Failed;
            }

            if (read == 0)
            {
                return Answer.Failed;
            }

            _received += read;
            var answer = Parse(_buffer.AsSpan(0, _received));
            if (answer != Answer.Incomplete)
            {
                Busy = false;
            }

            return answer;
        }

        public Connection Reconnect(EndPoint endpoint, Dictionary<Socket, Connection> bySocket)
        {
            bySocket.Remove(Socket);
            Socket.Dispose();
            Busy = false;
            Socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            Socket.Connect(endpoint);
            bySocket[Socket] = this;
            return this;
        }

        /// <summary>Complete once the headers and Content-Length bytes of body are in; a 2xx status is Ok.</summary>
        private static Answer Parse(ReadOnlySpan<byte> received)
        {
            var headersEnd = received.IndexOf("\r\n\r\n"u8);
            if (headersEnd < 0)
            {
                return Answer.Incomplete;
            }

            var headers = received[..headersEnd];
            var at = IndexOfIgnoreCase(headers, "\r\ncontent-length:"u8);
            if (at < 0)
            {
                return Answer.Failed;
            }

            var value = headers[(at + 17)..];
            var lineEnd = value.IndexOf("\r\n"u8);
            if (!Utf8Parser.TryParse((lineEnd < 0 ? value : value[..lineEnd]).Trim((byte)' '), out int length, out _))
            {
                return Answer.Failed;
            }

            if (received.Length < headersEnd + 4 + length)
            {
                return Answer.Incomplete;
            }

            return received.Length > 12 && received[9] == (byte)'2' ? Answer.Ok : Answer.Failed;
        }

        private static int IndexOfIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerCase)
        {
            for (var i = 0; i + lowerCase.Length <= text.Length; i++)
            {
                var match = true;
                for (var j = 0; j < lowerCase.Length && match; j++)
                {
                    match = (text[i + j] | 0x20) == lowerCase[j] || text[i + j] == lowerCase[j];
                }

                if (match)
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
