using FogPlacement.Quantities;

namespace FogPlacement;

/// <summary>The outcome of <see cref="CostModel.Decide"/>: every candidate's cost breakdown, and which one was chosen.</summary>
public sealed class Decision
{
    private readonly CandidateCost[] candidates;

    internal Decision(CandidateCost[] candidates, int chosenIndex, EnergyWeight lambda)
    {
        this.candidates = candidates;
        ChosenIndex = chosenIndex;
        Lambda = lambda;
    }

    /// <summary>Gets every candidate, in candidate order (device, offloads in tier order, splits in request order).</summary>
    public IReadOnlyList<CandidateCost> Candidates => candidates;

    /// <summary>Gets the index of the chosen candidate in <see cref="Candidates"/>.</summary>
    public int ChosenIndex { get; }

    /// <summary>Gets the chosen candidate: the least objective, the first in candidate order on a tie.</summary>
    public CandidateCost Chosen => candidates[ChosenIndex];

    /// <summary>Gets the weight lambda the objective was computed with.</summary>
    public EnergyWeight Lambda { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Chosen.Name} (objective {Chosen.Objective}, latency {Chosen.Latency}, device energy {Chosen.DeviceEnergy})";
}
