using System.Globalization;
using FogPlacement.Quantities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FogPlacement.DependencyInjection;

/// <summary>
/// Binds <see cref="FogPlacementOptions"/> from a configuration section without reflection (so it is trimming- and
/// AOT-safe), parsing each quantity with its unit and recording every unparsable value or unknown key with its
/// configuration path for the validator to report. Lists from configuration replace the lists already set, so binding
/// the same section twice gives the same options.
/// </summary>
internal sealed class FogPlacementConfiguration(IConfiguration section) : IConfigureOptions<FogPlacementOptions>
{
    /// <inheritdoc/>
    public void Configure(FogPlacementOptions options) => Bind(section, options);

    /// <summary>Binds <paramref name="configuration"/> onto <paramref name="options"/>.</summary>
    public static void Bind(IConfiguration configuration, FogPlacementOptions options)
    {
        options.ConfigurationPath = configuration is IConfigurationSection s ? s.Path : string.Empty;
        var reader = new ConfigurationReader(options.BindingErrors);
        foreach (IConfigurationSection child in configuration.GetChildren())
        {
            switch (child.Key.ToUpperInvariant())
            {
                case "LAMBDA":
                    if (reader.Quantity<EnergyWeight>(child) is { } lambda)
                    {
                        options.Lambda = lambda;
                    }

                    break;
                case "DEVICE":
                    BindDevice(reader, child, options.Device);
                    break;
                case "TIERS":
                    options.Tiers.Clear();
                    foreach (IConfigurationSection item in reader.Items(child))
                    {
                        options.Tiers.Add(BindTier(reader, item));
                    }

                    break;
                case "LINKS":
                    options.Links.Clear();
                    foreach (IConfigurationSection item in reader.Items(child))
                    {
                        options.Links.Add(BindLink(reader, item));
                    }

                    break;
                default:
                    reader.Unknown(child, "Lambda, Device, Tiers, Links");
                    break;
            }
        }
    }

    private static void BindDevice(ConfigurationReader reader, IConfigurationSection section, DeviceOptions device)
    {
        foreach (IConfigurationSection child in reader.Fields(section))
        {
            switch (child.Key.ToUpperInvariant())
            {
                case "COMPUTE":
                    device.Compute = reader.Quantity<ComputeRate>(child) ?? device.Compute;
                    break;
                case "COMPUTEENERGY":
                    device.ComputeEnergy = reader.Quantity<EnergyPerWork>(child) ?? device.ComputeEnergy;
                    break;
                case "RADIOENERGY":
                    device.RadioEnergy = reader.Quantity<EnergyPerData>(child) ?? device.RadioEnergy;
                    break;
                default:
                    reader.Unknown(child, "Compute, ComputeEnergy, RadioEnergy");
                    break;
            }
        }
    }

    private static TierOptions BindTier(ConfigurationReader reader, IConfigurationSection section)
    {
        var tier = new TierOptions { ConfigurationKey = section.Key };
        foreach (IConfigurationSection child in reader.Fields(section))
        {
            switch (child.Key.ToUpperInvariant())
            {
                case "NAME":
                    tier.Name = reader.Text(child);
                    break;
                case "COMPUTE":
                    tier.Compute = reader.Quantity<ComputeRate>(child);
                    break;
                case "UPLINK":
                    tier.Uplink = reader.Quantity<DataRate>(child);
                    break;
                case "ROUNDTRIP":
                    tier.RoundTrip = reader.Quantity<Duration>(child) ?? default;
                    break;
                default:
                    reader.Unknown(child, "Name, Compute, Uplink, RoundTrip");
                    break;
            }
        }

        return tier;
    }

    private static LinkOptions BindLink(ConfigurationReader reader, IConfigurationSection section)
    {
        var link = new LinkOptions { ConfigurationKey = section.Key };
        foreach (IConfigurationSection child in reader.Fields(section))
        {
            switch (child.Key.ToUpperInvariant())
            {
                case "FROM":
                    link.From = reader.Text(child);
                    break;
                case "TO":
                    link.To = reader.Text(child);
                    break;
                case "RATE":
                    link.Rate = reader.Quantity<DataRate>(child);
                    break;
                case "ROUNDTRIP":
                    link.RoundTrip = reader.Quantity<Duration>(child) ?? default;
                    break;
                default:
                    reader.Unknown(child, "From, To, Rate, RoundTrip");
                    break;
            }
        }

        return link;
    }

    /// <summary>Reads values and sections, adding an error with the configuration path for each problem.</summary>
    private sealed class ConfigurationReader(List<OptionsError> errors)
    {
        public T? Quantity<T>(IConfigurationSection section)
            where T : struct, IQuantity<T>
        {
            if (Value(section, $"a number and a unit, such as \"{T.Units.Example}\"") is not { } text)
            {
                return null;
            }

            try
            {
                return FogPlacement.Quantities.Quantity.Parse<T>(text);
            }
            catch (FormatException ex)
            {
                errors.Add(new OptionsError(section.Path, ex.Message.TrimEnd('.')));
                return null;
            }
        }

        public string? Text(IConfigurationSection section) => Value(section, "a name");

        /// <summary>The children of a section that must be an object with named fields.</summary>
        public IEnumerable<IConfigurationSection> Fields(IConfigurationSection section)
        {
            if (section.Value is { Length: > 0 } value)
            {
                errors.Add(new OptionsError(section.Path, $"expected a section with fields, found the value '{value}'"));
                return [];
            }

            return section.GetChildren();
        }

        /// <summary>The elements of a section that must be an array (keys 0, 1, 2, ...), in index order.</summary>
        public IEnumerable<IConfigurationSection> Items(IConfigurationSection section)
        {
            var items = new List<(int Index, IConfigurationSection Item)>();
            foreach (IConfigurationSection child in Fields(section))
            {
                if (int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                {
                    items.Add((index, child));
                }
                else
                {
                    errors.Add(new OptionsError(child.Path, $"expected an array element (a key 0, 1, 2, ...), found the key '{child.Key}'"));
                }
            }

            return items.OrderBy(i => i.Index).Select(i => i.Item);
        }

        public void Unknown(IConfigurationSection section, string known) =>
            errors.Add(new OptionsError(section.Path, $"unknown key '{section.Key}' (known keys: {known})"));

        private string? Value(IConfigurationSection section, string expected)
        {
            if (section.Value is { } value)
            {
                return value;
            }

            errors.Add(new OptionsError(section.Path, section.GetChildren().Any()
                ? $"expected a value ({expected}), found a section"
                : $"expected a value ({expected}), found nothing"));
            return null;
        }
    }
}
