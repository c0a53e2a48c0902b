namespace IdResolution.Cli;

/// <summary>Why a command failed, said for people: printed on stderr, and the exit code is non-zero.</summary>
public sealed class CliException(string message) : Exception(message);
