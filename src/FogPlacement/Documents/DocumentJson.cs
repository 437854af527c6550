using System.Text;
using System.Text.Json;
using FogPlacement.Validation;

namespace FogPlacement.Documents;

/// <summary>
/// The model's value types in System.Text.Json, in the scenario format (docs/cost-model.md): read by the same reader
/// as scenario files, so a JSON body is checked exactly as a file is.
/// </summary>
internal static class DocumentJson
{
    /// <summary>
    /// Reads the value at the reader with <paramref name="read"/>; its problems become one <see cref="JsonException"/>
    /// (the serializer adds the value's path) whose message lists each problem with its path inside the value, and
    /// whose inner exception is a <see cref="ModelException"/> with them all.
    /// </summary>
    public static T Read<T>(ref Utf8JsonReader reader, string what, Func<DocumentNode, ModelProblems, T?> read)
        where T : class
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var problems = new ModelProblems();

        // The syntax pass over the value's own text reports what JsonDocument accepts but a scenario does not (duplicate names).
        byte[] text = Encoding.UTF8.GetBytes(document.RootElement.GetRawText());
        if (JsonSyntax.Check(text, problems) && read(DocumentNode.FromJson(document.RootElement), problems) is { } value && problems.Count == 0)
        {
            return value;
        }

        IReadOnlyList<ModelProblem> all = problems.All;
        var inner = new ModelException(all);
        string listed = string.Join("; ", all.Take(ModelException.MaxListedProblems).Select(p => p.Path.IsRoot ? p.Message : $"{p.Path.ToJsonPath()[2..]}: {p.Message}"));
        string more = all.Count > ModelException.MaxListedProblems ? $"; and {all.Count - ModelException.MaxListedProblems} more" : string.Empty;
        throw new JsonException($"invalid {what}: {listed}{more}", inner);
    }
}
