namespace FogPlacement.Aggregation;

/// <summary>One client's model update: who sent it, its float32 values, and its weight (for example its number of training examples).</summary>
/// <param name="ContributorId">The client's id, unique within a round.</param>
/// <param name="Values">The update, one value per parameter.</param>
/// <param name="Weight">The update's weight; finite and greater than zero.</param>
public readonly record struct ClientUpdate(string ContributorId, ReadOnlyMemory<float> Values, double Weight);
