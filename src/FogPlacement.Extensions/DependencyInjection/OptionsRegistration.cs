using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace FogPlacement.DependencyInjection;

/// <summary>
/// Registers the sources of <typeparamref name="TOptions"/> (a configuration section path, an
/// <see cref="IConfiguration"/>, or a delegate) each once, with a change token for configuration, so that the
/// <c>AddXxx</c> extensions are idempotent. Compiled as source into each package that has options
/// (FogPlacement.Aggregation.Extensions links this file), so neither package depends on the other and no internal
/// crosses a package boundary.
/// </summary>
/// <typeparam name="TOptions">The options type.</typeparam>
internal static class OptionsRegistration<TOptions>
    where TOptions : class
{
    /// <summary>Binds the section at <paramref name="path"/> of the container's <see cref="IConfiguration"/> to the options called <paramref name="name"/>, once per name and path.</summary>
    public static void AddSection(IServiceCollection services, string path, Func<IConfiguration, IConfigureOptions<TOptions>> binder, string caller, string name = "")
    {
        if (!Registered(services, name, r => r.Path is { } p && string.Equals(p, path, StringComparison.OrdinalIgnoreCase)))
        {
            services.AddSingleton(new Registration(name, path, null));
            services.AddSingleton(sp => binder(Section(sp, path, caller)));
            services.AddSingleton<IOptionsChangeTokenSource<TOptions>>(sp => new ChangeSource(Section(sp, path, caller), name));
        }
    }

    /// <summary>Binds <paramref name="configuration"/> to the options called <paramref name="name"/>, once per name and instance or section path.</summary>
    public static void AddConfiguration(IServiceCollection services, IConfiguration configuration, Func<IConfiguration, IConfigureOptions<TOptions>> binder, string name = "")
    {
        if (!Registered(services, name, r => r.Configuration is { } c && SameSection(c, configuration)))
        {
            services.AddSingleton(new Registration(name, null, configuration));
            services.AddSingleton(binder(configuration));
            services.AddSingleton<IOptionsChangeTokenSource<TOptions>>(new ChangeSource(configuration, name));
        }
    }

    /// <summary>Applies <paramref name="configure"/> to the options called <paramref name="name"/>, once per name and delegate.</summary>
    public static void AddDelegate(IServiceCollection services, Action<TOptions> configure, string name = "")
    {
        if (!services.Any(d => d.ImplementationInstance is ConfigureNamedOptions<TOptions> c && c.Action == configure && c.Name == name))
        {
            services.Configure(name, configure);
        }
    }

    private static bool Registered(IServiceCollection services, string name, Func<Registration, bool> match) =>
        services.Any(d => d.ServiceType == typeof(Registration) && d.ImplementationInstance is Registration r && r.Name == name && match(r));

    private static IConfiguration Section(IServiceProvider services, string path, string caller)
    {
        IConfiguration configuration = services.GetService<IConfiguration>()
            ?? throw new InvalidOperationException($"{caller}(\"{path}\") needs an IConfiguration in the container (the generic host registers one); otherwise pass the IConfiguration itself.");
        return path.Length == 0 ? configuration : configuration.GetSection(path);
    }

    private static bool SameSection(IConfiguration a, IConfiguration b) =>
        ReferenceEquals(a, b) || (a is IConfigurationSection x && b is IConfigurationSection y && string.Equals(x.Path, y.Path, StringComparison.OrdinalIgnoreCase));

    /// <summary>Marks a source already registered: a section path, or a configuration instance.</summary>
    private sealed record Registration(string Name, string? Path, IConfiguration? Configuration);

    /// <summary>Tells the options monitor when a configuration reloads.</summary>
    private sealed class ChangeSource(IConfiguration configuration, string name) : IOptionsChangeTokenSource<TOptions>
    {
        public string Name => name;

        public IChangeToken GetChangeToken() => configuration.GetReloadToken();
    }
}
