using System.Globalization;
using FogPlacement.Chains;
using FogPlacement.Quantities;
using FogPlacement.Scenarios;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FogPlacement.DependencyInjection;

/// <summary>
/// Binds <see cref="FogPlacementOptions"/> from a configuration section without reflection (so it is trimming- and
/// AOT-safe), parsing each quantity with its unit and recording every unparsable value or unknown key with its
/// configuration path for the validator to report. Lists from configuration replace the lists already set, so binding
/// the same section twice gives the same options.
/// </summary>
internal sealed class FogPlacementConfiguration(IConfiguration section, string name = "") : IConfigureNamedOptions<FogPlacementOptions>
{
    /// <inheritdoc/>
    public void Configure(FogPlacementOptions options) => Configure(Options.DefaultName, options);

    /// <inheritdoc/>
    public void Configure(string? optionsName, FogPlacementOptions options)
    {
        if ((optionsName ?? Options.DefaultName) == name)
        {
            Bind(section, options);
        }
    }

    /// <summary>Binds <paramref name="configuration"/> onto <paramref name="options"/>.</summary>
    public static void Bind(IConfiguration configuration, FogPlacementOptions options)
    {
        options.ConfigurationPath = configuration is IConfigurationSection s ? s.Path : string.Empty;
        var reader = new ConfigurationReader(options.BindingErrors);
        DocumentPath root = DocumentPath.Root;
        foreach (IConfigurationSection child in configuration.GetChildren())
        {
            switch (child.Key.ToUpperInvariant())
            {
                case "LAMBDA":
                    if (reader.Quantity<EnergyWeight>(child, root.Field("lambda")) is { } lambda)
                    {
                        options.Lambda = lambda;
                    }

                    break;
                case "DEVICE":
                    BindDevice(reader, child, root.Field("device"), options.Device);
                    break;
                case "TIERS":
                    options.Tiers.Clear();
                    foreach ((IConfigurationSection item, DocumentPath path) in reader.Items(child, root.Field("tiers")))
                    {
                        options.Tiers.Add(BindTier(reader, item, path));
                    }

                    break;
                case "LINKS":
                    options.Links.Clear();
                    foreach ((IConfigurationSection item, DocumentPath path) in reader.Items(child, root.Field("links")))
                    {
                        options.Links.Add(BindLink(reader, item, path));
                    }

                    break;
                case "CHAINLIMITS":
                    options.ChainLimits = BindLimits(reader, child, root.Field("chainLimits"), options.ChainLimits ?? ChainLimits.Default);
                    break;
                default:
                    reader.Unknown(child, root, "Lambda, Device, Tiers, Links, ChainLimits");
                    break;
            }
        }
    }

    private static void BindDevice(ConfigurationReader reader, IConfigurationSection section, DocumentPath path, DeviceOptions device)
    {
        foreach (IConfigurationSection child in reader.Fields(section, path))
        {
            switch (child.Key.ToUpperInvariant())
            {
                case "COMPUTE":
                    device.Compute = reader.Quantity<ComputeRate>(child, path.Field("compute")) ?? device.Compute;
                    break;
                case "COMPUTEENERGY":
                    device.ComputeEnergy = reader.Quantity<EnergyPerWork>(child, path.Field("computeEnergy")) ?? device.ComputeEnergy;
                    break;
                case "RADIOENERGY":
                    device.RadioEnergy = reader.Quantity<EnergyPerData>(child, path.Field("radioEnergy")) ?? device.RadioEnergy;
                    break;
                default:
                    reader.Unknown(child, path, "Compute, ComputeEnergy, RadioEnergy");
                    break;
            }
        }
    }

    private static ChainLimits BindLimits(ConfigurationReader reader, IConfigurationSection section, DocumentPath path, ChainLimits limits)
    {
        foreach (IConfigurationSection child in reader.Fields(section, path))
        {
            switch (child.Key.ToUpperInvariant())
            {
                case "MAXSTATES":
                    limits = reader.Integer(child, path.Field("maxStates"), int.MaxValue) is { } states ? limits with { MaxStates = (int)states } : limits;
                    break;
                case "MAXCELLS":
                    limits = reader.Integer(child, path.Field("maxCells"), long.MaxValue) is { } cells ? limits with { MaxCells = cells } : limits;
                    break;
                default:
                    reader.Unknown(child, path, "MaxStates, MaxCells");
                    break;
            }
        }

        return limits;
    }

    private static TierOptions BindTier(ConfigurationReader reader, IConfigurationSection section, DocumentPath path)
    {
        var tier = new TierOptions { ConfigurationKey = section.Key };
        foreach (IConfigurationSection child in reader.Fields(section, path))
        {
            switch (child.Key.ToUpperInvariant())
            {
                case "NAME":
                    tier.Name = reader.Text(child, path.Field("name"));
                    break;
                case "COMPUTE":
                    tier.Compute = reader.Quantity<ComputeRate>(child, path.Field("compute"));
                    break;
                case "UPLINK":
                    tier.Uplink = reader.Quantity<DataRate>(child, path.Field("uplink"));
                    break;
                case "ROUNDTRIP":
                    tier.RoundTrip = reader.Quantity<Duration>(child, path.Field("roundTrip")) ?? default;
                    break;
                case "UPLINKCV":
                    tier.UplinkCv = reader.Real(child, path.Field("uplinkCv")) ?? tier.UplinkCv;
                    break;
                case "ROUNDTRIPCV":
                    tier.RoundTripCv = reader.Real(child, path.Field("roundTripCv")) ?? tier.RoundTripCv;
                    break;
                default:
                    reader.Unknown(child, path, "Name, Compute, Uplink, RoundTrip, UplinkCv, RoundTripCv");
                    break;
            }
        }

        return tier;
    }

    private static LinkOptions BindLink(ConfigurationReader reader, IConfigurationSection section, DocumentPath path)
    {
        var link = new LinkOptions { ConfigurationKey = section.Key };
        foreach (IConfigurationSection child in reader.Fields(section, path))
        {
            switch (child.Key.ToUpperInvariant())
            {
                case "FROM":
                    link.From = reader.Text(child, path.Field("from"));
                    break;
                case "TO":
                    link.To = reader.Text(child, path.Field("to"));
                    break;
                case "RATE":
                    link.Rate = reader.Quantity<DataRate>(child, path.Field("rate"));
                    break;
                case "ROUNDTRIP":
                    link.RoundTrip = reader.Quantity<Duration>(child, path.Field("roundTrip")) ?? default;
                    break;
                case "RATECV":
                    link.RateCv = reader.Real(child, path.Field("rateCv")) ?? link.RateCv;
                    break;
                case "ROUNDTRIPCV":
                    link.RoundTripCv = reader.Real(child, path.Field("roundTripCv")) ?? link.RoundTripCv;
                    break;
                default:
                    reader.Unknown(child, path, "From, To, Rate, RoundTrip, RateCv, RoundTripCv");
                    break;
            }
        }

        return link;
    }

    /// <summary>Reads values and sections, adding a problem with its path for each.</summary>
    private sealed class ConfigurationReader(List<ModelProblem> problems)
    {
        public T? Quantity<T>(IConfigurationSection section, DocumentPath path)
            where T : struct, IQuantity<T>
        {
            if (Value(section, path, $"a number and a unit, such as \"{T.Units.Example}\"") is not { } text)
            {
                return null;
            }

            try
            {
                return FogPlacement.Quantities.Quantity.Parse<T>(text);
            }
            catch (FormatException ex)
            {
                Add(path, ex.Message); // this library's own message, written for this purpose
                return null;
            }
        }

        public string? Text(IConfigurationSection section, DocumentPath path) => Value(section, path, "a name");

        /// <summary>A finite number (its range is checked with the rest of the options).</summary>
        public double? Real(IConfigurationSection section, DocumentPath path)
        {
            if (Value(section, path, "a number, such as 0.4") is not { } text)
            {
                return null;
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value))
            {
                return value;
            }

            Add(path, $"'{text}' is not a finite number");
            return null;
        }

        /// <summary>A whole number up to <paramref name="max"/>; the lower bound is checked with the rest of the options.</summary>
        public long? Integer(IConfigurationSection section, DocumentPath path, long max)
        {
            if (Value(section, path, "a whole number") is not { } text)
            {
                return null;
            }

            if (long.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out long value) && value <= max)
            {
                return value;
            }

            Add(path, $"'{text}' is not a whole number of at most {max.ToString("N0", CultureInfo.InvariantCulture)}");
            return null;
        }

        /// <summary>The children of a section that must be an object with named fields.</summary>
        public IEnumerable<IConfigurationSection> Fields(IConfigurationSection section, DocumentPath path)
        {
            if (section.Value is { Length: > 0 } value)
            {
                Add(path, $"expected a section with fields, found the value '{value}'");
                return [];
            }

            return section.GetChildren();
        }

        /// <summary>The elements of a section that must be an array (keys 0, 1, 2, ...), in index order, each with its path.</summary>
        public IEnumerable<(IConfigurationSection Item, DocumentPath Path)> Items(IConfigurationSection section, DocumentPath path)
        {
            var items = new List<(int Index, IConfigurationSection Item)>();
            foreach (IConfigurationSection child in Fields(section, path))
            {
                if (int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                {
                    items.Add((index, child));
                }
                else
                {
                    Add(path.Key(child.Key), $"expected an array element (a key 0, 1, 2, ...), found the key '{child.Key}'");
                }
            }

            return items.OrderBy(i => i.Index).Select(i => (i.Item, path.Index(i.Item.Key)));
        }

        public void Unknown(IConfigurationSection section, DocumentPath parent, string known) =>
            Add(parent.Key(section.Key), $"unknown key '{section.Key}' (known keys: {known})");

        private string? Value(IConfigurationSection section, DocumentPath path, string expected)
        {
            if (section.Value is { } value)
            {
                return value;
            }

            Add(path, section.GetChildren().Any()
                ? $"expected a value ({expected}), found a section"
                : $"expected a value ({expected}), found nothing");
            return null;
        }

        private void Add(DocumentPath path, string message) => problems.Add(new ModelProblem(path, message.TrimEnd('.')));
    }
}
