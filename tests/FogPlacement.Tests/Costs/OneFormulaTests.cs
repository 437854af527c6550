using FogPlacement.Chains;
using FogPlacement.Decisions;
using FogPlacement.Quantities;
using FogPlacement.Workloads;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FogPlacement.Tests.Costs;

/// <summary>One formula: a request's candidates and the equivalent layer-chain placements cost the same, bit for bit.</summary>
public class OneFormulaTests
{
    [Property(MaxTest = 300)]
    public Property Every_candidate_priced_as_a_request_and_as_the_equivalent_chain_is_bit_identical() =>
        Prop.ForAll(Generators.Scenario(), x =>
        {
            (CostModel model, Request request) = x;
            var optimizer = TestModels.Linked(model);
            Decision decision = model.Decide(request);
            string device = model.Device.Name;
            for (int i = 0; i < decision.Candidates.Count; i++)
            {
                Placement candidate = decision.Candidates[i];
                Placement placement;
                if (candidate.Kind == PlacementKind.Device)
                {
                    var chain = new LayerChain(request.Input, [new Layer("all", request.Work, DataSize.Zero)]);
                    placement = optimizer.Evaluate(chain, TestModels.Given(new Segment(device, 1, 1)));
                }
                else if (candidate.Kind == PlacementKind.Offload)
                {
                    var chain = new LayerChain(request.Input, [new Layer("all", request.Work, DataSize.Zero)]);
                    placement = optimizer.Evaluate(chain, TestModels.Given(new Segment(device, 1, 0), new Segment(candidate.TierName, 1, 1)));
                }
                else
                {
                    var chain = new LayerChain(request.Input, [new Layer("head", candidate.DeviceWork, candidate.Sent), new Layer("tail", candidate.RemoteWork, DataSize.Zero)]);
                    placement = optimizer.Evaluate(chain, TestModels.Given(new Segment(device, 1, 1), new Segment(candidate.TierName, 2, 2)));
                }

                bool same = Bits(candidate.Latency.Seconds) == Bits(placement.Latency.Seconds)
                    && Bits(candidate.DeviceEnergy.Joules) == Bits(placement.DeviceEnergy.Joules)
                    && Bits(candidate.Objective.Seconds) == Bits(placement.Objective.Seconds);
                if (!same)
                {
                    return false.Label($"{candidate.Name}: request {candidate.Latency.Seconds:R} s, {candidate.DeviceEnergy.Joules:R} J, {candidate.Objective.Seconds:R}; chain {placement.Latency.Seconds:R} s, {placement.DeviceEnergy.Joules:R} J, {placement.Objective.Seconds:R}");
                }
            }

            return true.ToProperty();
        });

    private static long Bits(double value) => BitConverter.DoubleToInt64Bits(value);
}
