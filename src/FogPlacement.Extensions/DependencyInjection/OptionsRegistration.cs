using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace FogPlacement.DependencyInjection;

/// <summary>
/// Registers the sources of <typeparamref name="TOptions"/> (a configuration section path, an
/// <see cref="IConfiguration"/>, or a delegate) each once, with a change token for configuration, so that the
/// <c>AddXxx</c> extensions are idempotent. Compiled into each library that has options (FogPlacement links it into
/// FogPlacement.Aggregation), so no internal crosses a package boundary.
/// </summary>
/// <typeparam name="TOptions">The options type.</typeparam>
internal static class OptionsRegistration<TOptions>
    where TOptions : class
{
    /// <summary>Binds the section at <paramref name="path"/> of the container's <see cref="IConfiguration"/>, once per path.</summary>
    public static void AddSection(IServiceCollection services, string path, Func<IConfiguration, IConfigureOptions<TOptions>> binder, string caller)
    {
        if (!Registered(services, r => r.Path is { } p && string.Equals(p, path, StringComparison.OrdinalIgnoreCase)))
        {
            services.AddSingleton(new Registration(path, null));
            services.AddSingleton(sp => binder(Section(sp, path, caller)));
            services.AddSingleton<IOptionsChangeTokenSource<TOptions>>(sp => new ChangeSource(Section(sp, path, caller)));
        }
    }

    /// <summary>Binds <paramref name="configuration"/>, once per instance or section path.</summary>
    public static void AddConfiguration(IServiceCollection services, IConfiguration configuration, Func<IConfiguration, IConfigureOptions<TOptions>> binder)
    {
        if (!Registered(services, r => r.Configuration is { } c && SameSection(c, configuration)))
        {
            services.AddSingleton(new Registration(null, configuration));
            services.AddSingleton(binder(configuration));
            services.AddSingleton<IOptionsChangeTokenSource<TOptions>>(new ChangeSource(configuration));
        }
    }

    /// <summary>Applies <paramref name="configure"/>, once per delegate.</summary>
    public static void AddDelegate(IServiceCollection services, Action<TOptions> configure)
    {
        if (!services.Any(d => d.ImplementationInstance is ConfigureNamedOptions<TOptions> c && c.Action == configure))
        {
            services.Configure(configure);
        }
    }

    private static bool Registered(IServiceCollection services, Func<Registration, bool> match) =>
        services.Any(d => d.ServiceType == typeof(Registration) && d.ImplementationInstance is Registration r && match(r));

    private static IConfiguration Section(IServiceProvider services, string path, string caller)
    {
        IConfiguration configuration = services.GetService<IConfiguration>()
            ?? throw new InvalidOperationException($"{caller}(\"{path}\") needs an IConfiguration in the container (the generic host registers one); otherwise pass the IConfiguration itself.");
        return path.Length == 0 ? configuration : configuration.GetSection(path);
    }

    private static bool SameSection(IConfiguration a, IConfiguration b) =>
        ReferenceEquals(a, b) || (a is IConfigurationSection x && b is IConfigurationSection y && string.Equals(x.Path, y.Path, StringComparison.OrdinalIgnoreCase));

    /// <summary>Marks a source already registered: a section path, or a configuration instance.</summary>
    private sealed record Registration(string? Path, IConfiguration? Configuration);

    /// <summary>Tells the options monitor when a configuration reloads.</summary>
    private sealed class ChangeSource(IConfiguration configuration) : IOptionsChangeTokenSource<TOptions>
    {
        public string Name => Options.DefaultName;

        public IChangeToken GetChangeToken() => configuration.GetReloadToken();
    }
}
