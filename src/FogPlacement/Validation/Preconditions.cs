using System.Diagnostics.CodeAnalysis;

namespace FogPlacement.Validation;

/// <summary>Argument checks shared by the whole assembly, so every message reads the same way.</summary>
internal static class Preconditions
{
    /// <summary>Returns <paramref name="value"/> when it is finite and non-negative; otherwise throws naming the parameter.</summary>
    public static double CheckNonNegative(double value, string paramName, string what)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            ThrowNotNonNegative(value, paramName, what);
        }

        return value == 0 ? 0 : value; // folds -0 into +0
    }

    /// <summary>Returns <paramref name="value"/> when it is finite and strictly positive; otherwise throws naming the parameter.</summary>
    public static double CheckPositive(double value, string paramName, string what)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            ThrowNotPositive(value, paramName, what);
        }

        return value;
    }

    /// <summary>Throws when <paramref name="value"/> is null, empty or white space.</summary>
    public static string CheckName(string? value, string paramName, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Argument($"{what} must be a non-empty name.", paramName);
        }

        return value;
    }

    /// <summary>Throws an <see cref="OverflowException"/> when the result of <paramref name="operation"/> is not finite.</summary>
    public static double CheckResult(double result, string operation)
    {
        if (!double.IsFinite(result))
        {
            ThrowOverflow(operation, result);
        }

        return result;
    }

    /// <summary>An <see cref="ArgumentException"/> for a plain argument check (a model's own checks report <see cref="Validation.ModelProblem"/>s instead).</summary>
    public static ArgumentException Argument(string problem, string? paramName = null) => new(problem, paramName);

    /// <summary>An <see cref="ArgumentOutOfRangeException"/> for a plain argument check.</summary>
    public static ArgumentOutOfRangeException OutOfRange(string? paramName, object? actualValue, string problem) => new(paramName, actualValue, problem);

    [DoesNotReturn]
    private static void ThrowNotNonNegative(double value, string paramName, string what) =>
        throw OutOfRange(paramName, value, $"{what} must be finite and non-negative; was {Describe(value)}.");

    [DoesNotReturn]
    private static void ThrowNotPositive(double value, string paramName, string what) =>
        throw OutOfRange(paramName, value, $"{what} must be finite and greater than zero; was {Describe(value)}.");

    [DoesNotReturn]
    private static void ThrowOverflow(string operation, double result) =>
        throw new OverflowException($"{operation} is out of the range of a double ({Describe(result)}).");

    /// <summary>The most names a message lists; a model of thousands of tiers would otherwise put them all in every message.</summary>
    internal const int MaxListedNames = 10;

    /// <summary>"a, b, c", or the first <see cref="MaxListedNames"/> and "and N more".</summary>
    internal static string Names(IEnumerable<string> names)
    {
        string[] first = [.. names.Take(MaxListedNames + 1)];
        if (first.Length <= MaxListedNames)
        {
            return string.Join(", ", first);
        }

        int total = names.TryGetNonEnumeratedCount(out int count) ? count : names.Count();
        return string.Join(", ", first.Take(MaxListedNames)) + $", and {total - MaxListedNames} more";
    }

    internal static string Describe(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
