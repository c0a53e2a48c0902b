namespace IdResolution.Core.Accounts;

/// <summary>
/// The unified social credit code (GB 32100-2015) that names an enterprise for real-name registration:
/// 18 characters from a 31-character alphabet (digits and upper-case letters without I, O, S, V, Z), the last
/// a check character over the first 17 (weights 3^i mod 31).
/// </summary>
public static class CreditCode
{
    public const int Length = 18;
    private const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    /// <summary>Checks a code; <paramref name="error"/> says what is wrong with it.</summary>
    public static bool IsValid(string? code, out string? error)
    {
        error = null;
        if (code is null || code.Length != Length)
        {
            error = $"a credit code has {Length} characters";
            return false;
        }

        var sum = 0;
        for (var i = 0; i < Length; i++)
        {
            var value = Alphabet.IndexOf(code[i], StringComparison.Ordinal);
            if (value < 0)
            {
                error = $"character {i + 1} ('{code[i]}') is not one of {Alphabet}";
                return false;
            }

            if (i < Length - 1)
            {
                sum += value * Weights[i];
            }
        }

        var check = Alphabet[(31 - (sum % 31)) % 31];
        if (code[Length - 1] != check)
        {
            error = $"the check character is '{code[Length - 1]}' but the first 17 characters give '{check}'";
            return false;
        }

        return true;
    }
}
