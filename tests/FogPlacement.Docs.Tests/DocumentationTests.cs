using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace FogPlacement.Docs.Tests;

/// <summary>
/// Every <c>```csharp</c> block of README.md and docs/*.md is a whole program that compiles against the packages (with
/// a console app's implicit usings). A block followed by a <c>```text</c> block shows its output: it is run from the
/// repository's root and its standard output must equal that text.
/// </summary>
public partial class DocumentationTests
{
    private static readonly string Root = FindRoot();

    public static TheoryData<string, int> Blocks()
    {
        var data = new TheoryData<string, int>();
        foreach (string file in Documents())
        {
            for (int i = 0; i < Parse(File.ReadAllText(Path.Combine(Root, file))).Count; i++)
            {
                data.Add(file, i);
            }
        }

        return data;
    }

    [Fact]
    public void The_docs_have_csharp_blocks_and_some_show_their_output()
    {
        List<Block> all = [.. Documents().SelectMany(f => Parse(File.ReadAllText(Path.Combine(Root, f))))];
        Assert.True(all.Count >= 8, $"{all.Count} blocks");
        Assert.True(all.Count(b => b.Output is not null) >= 2, "blocks with output");
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void A_csharp_block_compiles_and_prints_what_the_docs_show(string file, int index)
    {
        Block block = Parse(File.ReadAllText(Path.Combine(Root, file)))[index];
        CSharpCompilation compilation = CSharpCompilation.Create(
            $"DocBlock_{Path.GetFileNameWithoutExtension(file)}_{index}",
            [
                CSharpSyntaxTree.ParseText(ImplicitUsings, Options, cancellationToken: TestContext.Current.CancellationToken),
                CSharpSyntaxTree.ParseText(block.Code, Options, path: $"{file} (block {index + 1}, line {block.Line})", cancellationToken: TestContext.Current.CancellationToken),
            ],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = compilation.Emit(image, cancellationToken: TestContext.Current.CancellationToken);
        string[] errors = [.. emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString())];
        Assert.True(emitted.Success, $"{file}, block {index + 1} (line {block.Line}) does not compile:\n{string.Join("\n", errors)}");

        if (block.Output is { } expected)
        {
            Assert.Equal(expected.TrimEnd(), Run(image.ToArray()).TrimEnd());
        }
    }

    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static readonly CSharpParseOptions Options = new(LanguageVersion.Preview);

    /// <summary>The runtime's assemblies and every package this project references (the trusted platform assemblies).</summary>
    private static readonly Lazy<MetadataReference[]> References = new(() =>
        [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).Where(p => p.EndsWith(".dll", StringComparison.Ordinal)).Select(p => MetadataReference.CreateFromFile(p))]);

    private static readonly Lock Console = new();

    /// <summary>Runs the program from the repository's root with its standard output captured.</summary>
    private static string Run(byte[] image)
    {
        lock (Console)
        {
            var context = new AssemblyLoadContext("doc block", isCollectible: true);
            TextWriter original = System.Console.Out;
            string directory = Environment.CurrentDirectory;
            var output = new StringWriter();
            try
            {
                Environment.CurrentDirectory = Root;
                System.Console.SetOut(output);
                Assembly assembly = context.LoadFromStream(new MemoryStream(image));
                MethodInfo main = assembly.EntryPoint!;
                object? result = main.Invoke(null, main.GetParameters().Length == 0 ? [] : [Array.Empty<string>()]);
                if (result is Task task)
                {
                    task.GetAwaiter().GetResult();
                }
            }
            finally
            {
                System.Console.SetOut(original);
                Environment.CurrentDirectory = directory;
                context.Unload();
            }

            return output.ToString().ReplaceLineEndings("\n");
        }
    }

    private static IEnumerable<string> Documents() =>
        ["README.md", .. Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Order(StringComparer.Ordinal).Select(f => Path.GetRelativePath(Root, f)), .. PackageReadmes()];

    /// <summary>The packages' READMEs for nuget.org, <c>src/PROJECT/PACKAGE.md</c>.</summary>
    private static IEnumerable<string> PackageReadmes() =>
        Directory.GetDirectories(Path.Combine(Root, "src")).Order(StringComparer.Ordinal).Select(d => Path.Combine(d, "PACKAGE.md")).Where(File.Exists).Select(f => Path.GetRelativePath(Root, f));

    [Fact]
    public void Every_package_has_a_nuget_readme_with_its_install_command_and_only_absolute_links()
    {
        string[] projects = [.. Directory.GetFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories)];
        Assert.NotEmpty(projects);
        foreach (string project in projects)
        {
            string id = Path.GetFileNameWithoutExtension(project);
            string readme = Path.Combine(Path.GetDirectoryName(project)!, "PACKAGE.md");
            Assert.True(File.Exists(readme), $"{id} has no PACKAGE.md");
            string text = File.ReadAllText(readme);
            Assert.True(text.Contains($"dotnet add package {id}", StringComparison.Ordinal) || text.Contains($"dotnet tool install -g {id}", StringComparison.Ordinal), $"{id}: no install command");
            string[] relative = [.. Link().Matches(text).Select(m => m.Groups["target"].Value).Where(t => !t.StartsWith("https://", StringComparison.Ordinal))];
            Assert.True(relative.Length == 0, $"{id}: links that break on nuget.org: {string.Join(", ", relative)}");
        }
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex Link();

    private static List<Block> Parse(string markdown)
    {
        var blocks = new List<Block>();
        foreach (Match m in Fence().Matches(markdown.ReplaceLineEndings("\n")))
        {
            int line = markdown[..m.Index].Count(c => c == '\n') + 1;
            blocks.Add(new Block(m.Groups["code"].Value, m.Groups["output"].Success ? m.Groups["output"].Value : null, line));
        }

        return blocks;
    }

    [GeneratedRegex("^```csharp\\n(?<code>.*?)^```\\n(\\n*^```text\\n(?<output>.*?)^```)?", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex Fence();

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FogPlacement.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("FogPlacement.sln not found above " + AppContext.BaseDirectory);
    }

    private sealed record Block(string Code, string? Output, int Line);
}
