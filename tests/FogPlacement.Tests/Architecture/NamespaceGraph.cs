using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace FogPlacement.Tests.Architecture;

/// <summary>
/// Which namespace of an assembly uses which, read from its compiled metadata (System.Reflection.Metadata), not from
/// its <c>using</c> lines: every type a type names in its base type, interfaces, generic constraints, fields, method
/// signatures, locals, custom attributes (their <c>typeof</c> arguments too) and every token its methods' IL loads.
/// Nested and compiler-generated types count as their outermost declaring type's namespace.
/// </summary>
internal sealed class NamespaceGraph
{
    private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    private readonly MetadataReader md;
    private readonly Dictionary<string, string> namespaceByFullName = new(StringComparer.Ordinal);
    private readonly Collector collector;
    private string current = string.Empty;
    private string currentType = string.Empty;

    private NamespaceGraph(MetadataReader md, string prefix)
    {
        this.md = md;
        Prefix = prefix;
        collector = new Collector(this);
        foreach (TypeDefinitionHandle h in md.TypeDefinitions)
        {
            namespaceByFullName[FullName(h)] = NamespaceOf(h);
        }
    }

    /// <summary>Gets the namespace prefix the graph keeps (others, the framework's and the compiler's, are left out).</summary>
    public string Prefix { get; }

    /// <summary>Gets each namespace's dependencies, with one example of a type that makes each (for messages).</summary>
    public Dictionary<string, Dictionary<string, string>> Edges { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets every namespace of the assembly under the prefix.</summary>
    public SortedSet<string> Namespaces { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads the graph of the assembly at <paramref name="path"/>, keeping namespaces that are <paramref name="prefix"/> or under it.</summary>
    public static NamespaceGraph Read(string path, string prefix)
    {
        using FileStream stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var graph = new NamespaceGraph(pe.GetMetadataReader(), prefix);
        graph.Walk(pe);
        return graph;
    }

    /// <summary>The strongly connected components of more than one namespace: each is a cycle.</summary>
    public List<List<string>> Cycles()
    {
        int index = 0;
        var indices = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var components = new List<List<string>>();

        void Connect(string v)
        {
            indices[v] = low[v] = index++;
            stack.Push(v);
            onStack.Add(v);
            foreach (string w in Edges.TryGetValue(v, out var targets) ? targets.Keys : Enumerable.Empty<string>())
            {
                if (!indices.TryGetValue(w, out int wIndex))
                {
                    Connect(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], wIndex);
                }
            }

            if (low[v] == indices[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);
                if (component.Count > 1)
                {
                    components.Add([.. component.Order(StringComparer.Ordinal)]);
                }
            }
        }

        foreach (string v in Namespaces)
        {
            if (!indices.ContainsKey(v))
            {
                Connect(v);
            }
        }

        return components;
    }

    /// <summary>The edges no longer path implies (the transitive reduction of an acyclic graph): what a diagram draws.</summary>
    public SortedSet<(string From, string To)> Reduction()
    {
        var reduced = new SortedSet<(string, string)>();
        foreach ((string from, Dictionary<string, string> targets) in Edges)
        {
            foreach (string to in targets.Keys)
            {
                bool implied = targets.Keys.Any(via => via != to && Reaches(via, to));
                if (!implied)
                {
                    reduced.Add((from, to));
                }
            }
        }

        return reduced;
    }

    private bool Reaches(string from, string to)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([from]);
        while (pending.TryPop(out string? v))
        {
            if (v == to)
            {
                return true;
            }

            if (seen.Add(v) && Edges.TryGetValue(v, out var next))
            {
                foreach (string w in next.Keys)
                {
                    pending.Push(w);
                }
            }
        }

        return false;
    }

    private bool Kept(string ns) => ns == Prefix || ns.StartsWith(Prefix + ".", StringComparison.Ordinal);

    private void Walk(PEReader pe)
    {
        foreach (TypeDefinitionHandle h in md.TypeDefinitions)
        {
            TypeDefinition type = md.GetTypeDefinition(h);
            current = NamespaceOf(h);
            if (!Kept(current))
            {
                continue;
            }

            Namespaces.Add(current);
            currentType = FullName(h);
            Entity(type.BaseType);
            foreach (InterfaceImplementationHandle i in type.GetInterfaceImplementations())
            {
                Entity(md.GetInterfaceImplementation(i).Interface);
            }

            Attributes(type.GetCustomAttributes());
            GenericParameters(type.GetGenericParameters());
            foreach (FieldDefinitionHandle f in type.GetFields())
            {
                FieldDefinition field = md.GetFieldDefinition(f);
                field.DecodeSignature(collector, null);
                Attributes(field.GetCustomAttributes());
            }

            foreach (PropertyDefinitionHandle p in type.GetProperties())
            {
                PropertyDefinition property = md.GetPropertyDefinition(p);
                property.DecodeSignature(collector, null);
                Attributes(property.GetCustomAttributes());
            }

            foreach (MethodDefinitionHandle m in type.GetMethods())
            {
                MethodDefinition method = md.GetMethodDefinition(m);
                method.DecodeSignature(collector, null);
                Attributes(method.GetCustomAttributes());
                GenericParameters(method.GetGenericParameters());
                foreach (ParameterHandle p in method.GetParameters())
                {
                    Attributes(md.GetParameter(p).GetCustomAttributes());
                }

                if (method.RelativeVirtualAddress != 0)
                {
                    Body(pe.GetMethodBody(method.RelativeVirtualAddress));
                }
            }
        }
    }

    private void Body(MethodBodyBlock body)
    {
        if (!body.LocalSignature.IsNil)
        {
            md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(collector, null);
        }

        BlobReader il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            short code = il.ReadByte();
            if (code == 0xFE)
            {
                code = unchecked((short)(0xFE00 | il.ReadByte()));
            }

            switch (Operands[code])
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok:
                    Entity(MetadataTokens.EntityHandle(il.ReadInt32()));
                    break;
                case OperandType.InlineSig:
                    md.GetStandaloneSignature((StandaloneSignatureHandle)MetadataTokens.EntityHandle(il.ReadInt32())).DecodeMethodSignature(collector, null);
                    break;
                case OperandType.InlineSwitch:
                    int targets = il.ReadInt32(); // read before the offset is (a compound assignment reads the offset first)
                    il.Offset += 4 * targets;
                    break;
                case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.ShortInlineR or OperandType.InlineString:
                    il.Offset += 4;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
            }
        }
    }

    private void GenericParameters(GenericParameterHandleCollection parameters)
    {
        foreach (GenericParameterHandle g in parameters)
        {
            foreach (GenericParameterConstraintHandle c in md.GetGenericParameter(g).GetConstraints())
            {
                Entity(md.GetGenericParameterConstraint(c).Type);
            }
        }
    }

    private void Attributes(CustomAttributeHandleCollection attributes)
    {
        foreach (CustomAttributeHandle a in attributes)
        {
            CustomAttribute attribute = md.GetCustomAttribute(a);
            Entity(attribute.Constructor);
            try
            {
                CustomAttributeValue<string?> value = attribute.DecodeValue(collector);
                foreach (CustomAttributeTypedArgument<string?> argument in value.FixedArguments.Concat(value.NamedArguments.Select(n => new CustomAttributeTypedArgument<string?>(n.Type, n.Value))))
                {
                    if (argument.Value is string name && namespaceByFullName.TryGetValue(name.Split(',')[0], out string? ns))
                    {
                        Use(ns, name);
                    }
                }
            }
            catch (BadImageFormatException)
            {
                // An attribute whose enum arguments name a type of another assembly cannot be decoded without it; its
                // constructor was counted above, and none of this assembly's attributes take its own types that way.
            }
        }
    }

    private void Entity(EntityHandle handle)
    {
        if (handle.IsNil)
        {
            return;
        }

        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                Use(NamespaceOf((TypeDefinitionHandle)handle), FullName((TypeDefinitionHandle)handle));
                break;
            case HandleKind.TypeSpecification:
                md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(collector, null);
                break;
            case HandleKind.MethodDefinition:
                Entity(md.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.FieldDefinition:
                Entity(md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.MemberReference:
                MemberReference member = md.GetMemberReference((MemberReferenceHandle)handle);
                Entity(member.Parent);
                if (member.GetKind() == MemberReferenceKind.Method)
                {
                    member.DecodeMethodSignature(collector, null);
                }
                else
                {
                    member.DecodeFieldSignature(collector, null);
                }

                break;
            case HandleKind.MethodSpecification:
                MethodSpecification spec = md.GetMethodSpecification((MethodSpecificationHandle)handle);
                Entity(spec.Method);
                spec.DecodeSignature(collector, null);
                break;
        }
    }

    private void Use(string ns, string type)
    {
        if (ns == current || !Kept(ns))
        {
            return;
        }

        if (!Edges.TryGetValue(current, out var targets))
        {
            Edges[current] = targets = new Dictionary<string, string>(StringComparer.Ordinal);
        }

        targets.TryAdd(ns, $"{currentType} uses {type}");
    }

    private string NamespaceOf(TypeDefinitionHandle h)
    {
        TypeDefinition t = md.GetTypeDefinition(h);
        while (t.IsNested)
        {
            t = md.GetTypeDefinition(t.GetDeclaringType());
        }

        return md.GetString(t.Namespace);
    }

    private string FullName(TypeDefinitionHandle h)
    {
        TypeDefinition t = md.GetTypeDefinition(h);
        string name = md.GetString(t.Name);
        if (t.IsNested)
        {
            return FullName(t.GetDeclaringType()) + "+" + name;
        }

        string ns = md.GetString(t.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    /// <summary>Decodes signatures and attribute values, reporting every type of this assembly they name.</summary>
    private sealed class Collector(NamespaceGraph graph) : ISignatureTypeProvider<string?, object?>, ICustomAttributeTypeProvider<string?>
    {
        public string? GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            graph.Use(graph.NamespaceOf(handle), graph.FullName(handle));
            return null;
        }

        // A referenced type by its full name, so that an attribute's System.Type argument is told from an enum's.
        public string? GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            TypeReference type = reader.GetTypeReference(handle);
            return reader.GetString(type.Namespace) + "." + reader.GetString(type.Name);
        }

        public string? GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public string? GetPrimitiveType(PrimitiveTypeCode typeCode) => null;

        public string? GetSZArrayType(string? elementType) => elementType + "[]";

        public string? GetArrayType(string? elementType, ArrayShape shape) => null;

        public string? GetByReferenceType(string? elementType) => null;

        public string? GetPointerType(string? elementType) => null;

        public string? GetPinnedType(string? elementType) => null;

        public string? GetGenericInstantiation(string? genericType, ImmutableArray<string?> typeArguments) => null;

        public string? GetGenericMethodParameter(object? genericContext, int index) => null;

        public string? GetGenericTypeParameter(object? genericContext, int index) => null;

        public string? GetFunctionPointerType(MethodSignature<string?> signature) => null;

        public string? GetModifiedType(string? modifier, string? unmodifiedType, bool isRequired) => null;

        public string? GetSystemType() => "System.Type";

        public bool IsSystemType(string? type) => type == "System.Type";

        public string? GetTypeFromSerializedName(string name) => name;

        public PrimitiveTypeCode GetUnderlyingEnumType(string? type) => PrimitiveTypeCode.Int32;
    }
}
