using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace IdResolution.Server.Tests.Infrastructure;

/// <summary>A private redis-server that a test may kill and restart without disturbing other tests.</summary>
public sealed class RedisInstance : IDisposable
{
    private Process? _process;

    public int Port { get; } = Ports.Free();

    public string Configuration => $"127.0.0.1:{Port}";

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        await Ports.WaitUntilListeningAsync(Port, TimeSpan.FromSeconds(20));
    }

    /// <summary>SIGKILL: what a crash looks like to clients.</summary>
    public void Kill()
    {
        _process?.Kill();
        _process?.WaitForExit();
        _process?.Dispose();
        _process = null;
    }

    public void Dispose() => Kill();
}

/// <summary>A private PostgreSQL cluster (initdb in a temporary folder) that a test may stop and start.</summary>
public sealed class PostgresInstance : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("idres-pg-").FullName;
    private readonly string _bin = Environment.GetEnvironmentVariable("IDRES_PG_BIN")
        ?? Directory.GetDirectories("/usr/lib/postgresql").OrderBy(d => d, StringComparer.Ordinal).Select(d => Path.Combine(d, "bin")).Last();

    public int Port { get; } = Ports.Free();

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=3;Command Timeout=5";

    private string Data => Path.Combine(_directory, "data");

    public async Task InitialiseAsync()
    {
        if (Environment.UserName == "root")
        {
            await Processes.RunAsync("chown", "postgres", _directory);
        }

        await RunAsPostgresAsync(Path.Combine(_bin, "initdb"), "-D", Data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8");
        await File.AppendAllTextAsync(Path.Combine(Data, "postgresql.conf"),
            $"port = {Port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{_directory}'\nfsync = off\n");
        await StartAsync();
    }

    /// <summary>Makes this instance a streaming standby of <paramref name="primary"/> (a base backup that follows its WAL) and starts it.</summary>
    public async Task InitialiseStandbyOfAsync(PostgresInstance primary)
    {
        if (Environment.UserName == "root")
        {
            await Processes.RunAsync("chown", "postgres", _directory);
        }

        await RunAsPostgresAsync(Path.Combine(_bin, "pg_basebackup"), "-h", "127.0.0.1", "-p", primary.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-U", "postgres", "-D", Data, "-R", "-X", "stream");
        await File.AppendAllTextAsync(Path.Combine(Data, "postgresql.conf"), $"port = {Port}\nunix_socket_directories = '{_directory}'\n");
        await StartAsync();
    }

    public Task StartAsync() => RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), "-D", Data, "-l", Path.Combine(_directory, "pg.log"), "-w", "start");

    public Task StopAsync() => RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), "-D", Data, "-m", "fast", "-w", "stop");

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), "-D", Data, "-m", "immediate", "stop");
        }
        catch (InvalidOperationException)
        {
            // already stopped
        }

        Directory.Delete(_directory, recursive: true);
    }

    internal static Task<string> RunAsPostgresAsync(string program, params string[] args) =>
        Environment.UserName == "root" ? Processes.RunAsync("runuser", ["-u", "postgres", "--", program, .. args]) : Processes.RunAsync(program, args);
}

public static class Ports
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task WaitUntilListeningAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}

/// <summary>Programs the tests run to their end (pg_ctl, redis-cli, chown).</summary>
public static class Processes
{
    /// <summary>Runs a program to its end; its standard output, or an exception with both outputs when it fails.</summary>
    public static async Task<string> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {await output}{await error}");
        }

        return await output;
    }
}
