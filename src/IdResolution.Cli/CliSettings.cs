using System.Collections;
using System.Text.Json;

namespace IdResolution.Cli;

/// <summary>
/// Where the node is and which key to use: the <c>--url</c> and <c>--key</c> options, else the environment
/// (<c>IDRES_URL</c>, <c>IDRES_KEY</c>), else the config file (<c>--config</c>, <c>IDRES_CONFIG</c>, or
/// <c>~/.config/idres/config.json</c>: <c>{"url":"...","key":"..."}</c>), else <c>http://localhost:5080</c> and no key.
/// </summary>
public sealed record CliSettings(Uri Url, string? Key, bool Json)
{
    public const string DefaultUrl = "http://localhost:5080";

    public static CliSettings From(string? url, string? key, string? config, bool json, IDictionary environment)
    {
        var file = config ?? Variable(environment, "IDRES_CONFIG") ?? DefaultConfigPath(environment);
        var (fileUrl, fileKey) = ReadConfig(file, required: config is not null);
        var text = url ?? Variable(environment, "IDRES_URL") ?? fileUrl ?? DefaultUrl;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliException($"'{text}' is not a node URL (http://host:port or https://...)");
        }

        return new CliSettings(uri, key ?? Variable(environment, "IDRES_KEY") ?? fileKey, json);
    }

    private static string? Variable(IDictionary environment, string name) =>
        environment[name] is string value && value.Length > 0 ? value : null;

    private static string? DefaultConfigPath(IDictionary environment) =>
        Variable(environment, "HOME") is { } home ? Path.Combine(home, ".config", "idres", "config.json") : null;

    private static (string? Url, string? Key) ReadConfig(string? file, bool required)
    {
        if (file is null || !File.Exists(file))
        {
            return required ? throw new CliException($"config file {file} does not exist") : (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            var root = document.RootElement;
            return (Text(root, "url"), Text(root, "key"));
        }
        catch (JsonException e)
        {
            throw new CliException($"config file {file} is not JSON: {e.Message}");
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
