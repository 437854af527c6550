using System.Text;
using FogPlacement.Chains;

namespace FogPlacement.DependencyInjection;

/// <summary>
/// One immutable, validated version of the configured placement model: the cost model and the layer-chain optimiser
/// built from <see cref="FogPlacementOptions"/>. The placement service swaps whole instances, so everything read from
/// one instance belongs to the same configuration.
/// </summary>
public sealed class PlacementModel
{
    private PlacementModel(CostModel costModel, ChainOptimizer chainOptimizer, long generation)
    {
        CostModel = costModel;
        ChainOptimizer = chainOptimizer;
        Generation = generation;
    }

    /// <summary>Gets the cost model: device, tiers, energy parameters and lambda.</summary>
    public CostModel CostModel { get; }

    /// <summary>Gets the optimiser for layer chains over the model's tiers and links.</summary>
    public ChainOptimizer ChainOptimizer { get; }

    /// <summary>Gets the version number: 1 for the model built at start, one more for each configuration change applied.</summary>
    public long Generation { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"generation {Generation}: device {CostModel.Device.Compute}, tiers {string.Join(", ", CostModel.Tiers.Select(t => t.Name))}, lambda {CostModel.Lambda}";

    /// <summary>Returns this model with another generation number.</summary>
    internal PlacementModel WithGeneration(long generation) => new(CostModel, ChainOptimizer, generation);

    /// <summary>Builds the model from <paramref name="options"/>, or collects every problem with its path.</summary>
    internal static PlacementModel? TryCreate(FogPlacementOptions options, List<OptionsError> errors)
    {
        var paths = new OptionsPaths(options.ConfigurationPath);
        int before = errors.Count;
        errors.AddRange(options.BindingErrors);

        Tier? device = null;
        if (Required(errors, paths, options.Device.Compute, ["Device", "Compute"], "the device's compute rate, such as \"80 GFLOP/s\"")
            && options.Device.Compute is { } deviceCompute)
        {
            device = Build(errors, paths, ["Device"], () => Tier.Device(deviceCompute));
        }

        List<(int Index, Tier Value)> tiers = Each(options.Tiers, t => t?.ConfigurationKey, "Tiers", "tier", errors, paths, (t, index) =>
            Required(errors, paths, t.Name, ["Tiers", index, "Name"], "the tier's unique name, such as \"fog\"")
            & Required(errors, paths, t.Compute, ["Tiers", index, "Compute"], "the tier's compute rate, such as \"2500 GFLOP/s\"")
            & Required(errors, paths, t.Uplink, ["Tiers", index, "Uplink"], "the device's uplink rate to the tier, such as \"120 Mbit/s\"")
                ? Build(errors, paths, ["Tiers", index], () => Tier.Remote(t.Name!, t.Compute!.Value, t.Uplink!.Value, t.RoundTrip))
                : null);

        List<(int Index, Link Value)> links = Each(options.Links, l => l?.ConfigurationKey, "Links", "link", errors, paths, (l, index) =>
            Required(errors, paths, l.From, ["Links", index, "From"], "the sending tier's name")
            & Required(errors, paths, l.To, ["Links", index, "To"], "the receiving tier's name")
            & Required(errors, paths, l.Rate, ["Links", index, "Rate"], "the link's rate, such as \"1 Gbit/s\"")
                ? Build(errors, paths, ["Links", index], () => new Link(l.From!, l.To!, l.Rate!.Value, l.RoundTrip))
                : null);

        // The checks across entries run alongside the ones above, so one pass reports every problem. Every named tier
        // counts as present (even one with another error), so a link to it is not reported as well.
        string?[] names = [.. options.Tiers.Select(t => string.IsNullOrWhiteSpace(t?.Name) ? null : t.Name)];
        foreach ((int index, string message) in CostModel.RepeatedTierNames(names))
        {
            errors.Add(new OptionsError(paths.Of("Tiers", KeyOf(options.Tiers[index]?.ConfigurationKey, index), "Name"), message.TrimEnd('.')));
        }

        string[] known = [.. names.OfType<string>().Distinct(StringComparer.Ordinal)];
        foreach ((int index, string? field, string message) in ChainOptimizer.LinkProblems([.. links.Select(l => l.Value)], known))
        {
            int entry = links[index].Index;
            errors.Add(new OptionsError(paths.Of(["Links", KeyOf(options.Links[entry].ConfigurationKey, entry), .. OptionsPaths.Split(field)]), message.TrimEnd('.')));
        }

        if (errors.Count > before || device is null)
        {
            return null;
        }

        CostModel? model = Build(errors, paths, [], () => new CostModel(device, new DeviceEnergy(options.Device.ComputeEnergy, options.Device.RadioEnergy), tiers.Select(t => t.Value), options.Lambda));
        ChainOptimizer? optimizer = model is null ? null : Build(errors, paths, [], () => new ChainOptimizer(model, links.Select(l => l.Value)));
        return model is null || optimizer is null ? null : new PlacementModel(model, optimizer, 1);
    }

    /// <summary>
    /// Builds each entry of an options list with <paramref name="build"/> (given the entry and its index), reporting
    /// null entries; returns what was built with the index of its entry.
    /// </summary>
    private static List<(int Index, T Value)> Each<TEntry, T>(IList<TEntry> entries, Func<TEntry?, string?> key, string list, string noun, List<OptionsError> errors, OptionsPaths paths, Func<TEntry, string, T?> build)
        where TEntry : class
        where T : class
    {
        var built = new List<(int, T)>();
        for (int i = 0; i < entries.Count; i++)
        {
            string index = KeyOf(key(entries[i]), i);
            if (entries[i] is not { } entry)
            {
                errors.Add(new OptionsError(paths.Of(list, index), $"the {noun} is null"));
            }
            else if (build(entry, index) is { } value)
            {
                built.Add((i, value));
            }
        }

        return built;
    }

    private static string Index(int index) => index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The entry's configuration key when it was bound from configuration (sparse arrays keep their keys), else its list index.</summary>
    private static string KeyOf(string? configurationKey, int index) => configurationKey ?? Index(index);

    /// <summary>Returns whether the value is present; adds a "required" error unless its key already has one (an unparsable value).</summary>
    private static bool Required<T>(List<OptionsError> errors, OptionsPaths paths, T? value, string[] path, string what)
    {
        if (value is not null && (value is not string s || !string.IsNullOrWhiteSpace(s)))
        {
            return true;
        }

        string where = paths.Of(path);
        if (!errors.Exists(e => e.Path == where))
        {
            errors.Add(new OptionsError(where, "required; " + what));
        }

        return false;
    }

    /// <summary>Runs a constructor; an <see cref="ArgumentException"/> becomes an error at the path plus its parameter name.</summary>
    private static T? Build<T>(List<OptionsError> errors, OptionsPaths paths, string[] path, Func<T> create)
        where T : class
    {
        try
        {
            return create();
        }
        catch (ArgumentException ex)
        {
            string message = ex.Message;
            int cut = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
            if (cut >= 0)
            {
                message = message[..cut];
            }

            errors.Add(new OptionsError(paths.Of([.. path, .. OptionsPaths.Split(ex.ParamName)]), message.TrimEnd('.')));
            return null;
        }
    }
}

/// <summary>
/// Writes option paths: as configuration paths (<c>FogPlacement:Tiers:0:Name</c>) when the options were bound from a
/// section, otherwise as property paths (<c>Tiers[0].Name</c>).
/// </summary>
internal readonly struct OptionsPaths(string? configurationPath)
{
    public string Of(params string[] segments)
    {
        var text = new StringBuilder();
        if (configurationPath is not null)
        {
            text.Append(configurationPath);
            foreach (string segment in segments)
            {
                text.Append(text.Length > 0 ? ":" : string.Empty).Append(segment);
            }

            return text.Length == 0 ? "(root)" : text.ToString();
        }

        foreach (string segment in segments)
        {
            if (segment.Length > 0 && char.IsAsciiDigit(segment[0]))
            {
                text.Append('[').Append(segment).Append(']');
            }
            else
            {
                text.Append(text.Length > 0 ? "." : string.Empty).Append(segment);
            }
        }

        return text.Length == 0 ? "(options)" : text.ToString();
    }

    /// <summary>Turns a parameter name such as <c>tiers[1].name</c> into segments <c>Tiers, 1, Name</c>.</summary>
    public static IEnumerable<string> Split(string? paramName)
    {
        if (string.IsNullOrEmpty(paramName))
        {
            yield break;
        }

        foreach (string part in paramName.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            int bracket = part.IndexOf('[', StringComparison.Ordinal);
            string name = bracket < 0 ? part : part[..bracket];
            if (name.Length > 0)
            {
                yield return char.ToUpperInvariant(name[0]) + name[1..];
            }

            if (bracket >= 0)
            {
                yield return part[(bracket + 1)..].TrimEnd(']');
            }
        }
    }
}
