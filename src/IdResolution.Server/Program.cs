using IdResolution.Server;
using IdResolution.Server.Startup;

// `dotnet run --project src/IdResolution.Server` starts the node; `... -- migrate` applies the
// registry migrations and exits (for PostgreSQL deployments that keep Registry:Migrate off).
var migrateOnly = args.Length > 0 && args[0] == "migrate";
var app = NodeHost.Build(migrateOnly ? args[1..] : args);

if (migrateOnly)
{
    await app.MigrateRegistryAsync();
    return;
}

await app.InitialiseNodeAsync();
await app.RunAsync();
