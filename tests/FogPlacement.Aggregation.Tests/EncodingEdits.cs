using FsCheck;

namespace FogPlacement.Aggregation.Tests;

/// <summary>A hostile fog node's edits to an encoding: each overwrites, inserts or removes one byte.</summary>
internal static class EncodingEdits
{
    /// <summary>Applies up to <paramref name="max"/> edits in turn; null once the bytes are shorter than <paramref name="minLength"/>.</summary>
    public static byte[]? Apply(byte[] encoded, (NonNegativeInt At, byte Value, PositiveInt Edit)[] edits, int max, int minLength)
    {
        var bytes = new List<byte>(encoded);
        foreach ((NonNegativeInt at, byte value, PositiveInt edit) in edits.Take(max))
        {
            int i = at.Get % bytes.Count;
            switch (edit.Get % 3)
            {
                case 0: bytes[i] = value; break;
                case 1: bytes.Insert(i, value); break;
                default: bytes.RemoveAt(i); break;
            }

            if (bytes.Count < minLength)
            {
                return null;
            }
        }

        return [.. bytes];
    }
}
