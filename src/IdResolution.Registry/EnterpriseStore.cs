using IdResolution.Core;
using IdResolution.Core.Accounts;
using IdResolution.Registry.Model;
using Microsoft.EntityFrameworkCore;

namespace IdResolution.Registry;

/// <summary>Real-name enterprise accounts.</summary>
public sealed class EnterpriseStore(RegistryContext db, TimeProvider clock, WriteActor actor)
{
    public const int MaxTextLength = 200;

    public async Task<Enterprise> CreateAsync(string? name, string? creditCode, string? contact, string? email, CancellationToken cancellationToken)
    {
        RequireText("name", name, required: true);
        RequireText("contact", contact, required: false);
        RequireText("email", email, required: false);
        if (email is not null && !email.Contains('@', StringComparison.Ordinal))
        {
            throw new HandleException(ResponseCode.InvalidValue, "email is not an e-mail address");
        }

        if (!CreditCode.IsValid(creditCode, out var error))
        {
            throw new HandleException(ResponseCode.InvalidValue, "creditCode: " + error);
        }

        var now = clock.GetUtcNow();
        var enterprise = new Enterprise { Name = name!.Trim(), CreditCode = creditCode!, Contact = contact, Email = email, CreatedAt = now.ToUnixTimeSeconds() };
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            db.Enterprises.Add(enterprise);
            await db.SaveChangesAsync(cancellationToken);
            db.Audit.Add(actor.Audit(now.ToUnixTimeMilliseconds(), "enterprise.create", Target(enterprise.Id), null, null, null));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return enterprise;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (await db.Enterprises.AnyAsync(e => e.CreditCode == creditCode, cancellationToken))
            {
                throw new HandleException(ResponseCode.HandleAlreadyExists, $"an enterprise with credit code {creditCode} is already registered");
            }

            throw;
        }
    }

    public Task<Enterprise?> FindAsync(long id, CancellationToken cancellationToken) =>
        db.Enterprises.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, cancellationToken);

    public async Task<Enterprise> GetAsync(long id, CancellationToken cancellationToken) =>
        await FindAsync(id, cancellationToken) ?? throw new HandleException(ResponseCode.HandleNotFound, $"no enterprise has id {id}");

    public Task<List<Enterprise>> ListAsync(CancellationToken cancellationToken) =>
        db.Enterprises.AsNoTracking().OrderBy(e => e.Id).ToListAsync(cancellationToken);

    public static string Target(long id) => "enterprise:" + id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void RequireText(string field, string? value, bool required)
    {
        if (value is null ? required : string.IsNullOrWhiteSpace(value) || value.Length > MaxTextLength || value.Any(char.IsControl))
        {
            throw new HandleException(ResponseCode.InvalidValue, $"{field} must be 1 to {MaxTextLength} printable characters");
        }
    }
}
