// Types for NamespaceDependencyTests: dependencies the metadata reader must find where no signature shows them.
namespace FogPlacement.Tests.Architecture.Probe.Named
{
    /// <summary>A type other namespaces name only in an attribute's typeof, or only inside a method body.</summary>
    internal sealed class Target;
}

namespace FogPlacement.Tests.Architecture.Probe.Attributes
{
    /// <summary>Names <see cref="Named.Target"/> only in an attribute argument.</summary>
    [System.ComponentModel.TypeConverter(typeof(Named.Target))]
    internal sealed class Marked;
}

namespace FogPlacement.Tests.Architecture.Probe.Bodies
{
    /// <summary>Names <see cref="Named.Target"/> only inside a method body.</summary>
    internal static class Maker
    {
        public static object Make() => new Named.Target();
    }
}
