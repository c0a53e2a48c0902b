namespace IdResolution.Core.Schemes;

/// <summary>The GS1 mod-10 check digit: digits weighted 3, 1, 3, ... from the right (the check digit's left neighbour weighs 3).</summary>
public static class Gs1CheckDigit
{
    /// <summary>The check digit for <paramref name="digits"/> (the key without its check digit).</summary>
    public static char Compute(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var digit = digits[digits.Length - 1 - i] - '0';
            sum += (i % 2 == 0) ? digit * 3 : digit;
        }

        return (char)('0' + ((10 - (sum % 10)) % 10));
    }

    /// <summary>Whether a key of digits ends with the right check digit.</summary>
    public static bool IsValid(ReadOnlySpan<char> key)
    {
        foreach (var c in key)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return key.Length >= 2 && Compute(key[..^1]) == key[^1];
    }
}
