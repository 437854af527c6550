using System.Diagnostics;
using Xunit;

namespace FogPlacement.Orleans.PostgreSql.Tests;

/// <summary>The demo refuses bad arguments before it starts a server or a silo, naming the argument.</summary>
public class DemoArgumentsTests
{
    [Theory]
    [InlineData("--storage postgres --load --partial-kb 600000", "--partial-kb must be at most 524,288")]
    [InlineData("--storage postgres --load --fog-nodes 10000 --rounds 1000", "MiB of partials held at once; at most 4,096 MiB")]
    [InlineData("--storage postgres --load --rounds 0", "--rounds must be a positive whole number; was '0'")]
    [InlineData("--storage postgres --load --silos 9", "--silos must be at most 8")]
    [InlineData("--storage postgres --load --parameters 67108865", "--parameters must be at most 67,108,864")]
    [InlineData("--storage postgres --load --parameters 10 --partial-kb 10", "give one")]
    [InlineData("--storage postgres --load --shard-parameters 67108865", "--shard-parameters must be at most 67,108,864")]
    [InlineData("--storage postgres --load --shard-parameters 0", "--shard-parameters must be a positive whole number; was '0'")]
    [InlineData("--storage postgres --load --parameters 2147483600 --shard-parameters 1048576", "--parameters must be at most 2,147,483,591 for the load run")]
    [InlineData("--storage postgres --load --fog-nodes 1 --rounds 1 --parameters 20000 --shard-parameters 1", "more than 16,384 shards")]
    [InlineData("--storage postgres --shard-parameters 1024", "--shard-parameters go with --load")]
    [InlineData("--storage postgres --silos 2", "--silos go with --load")]
    [InlineData("--storage postgres --rounds 3", "--rounds go with --load")]
    [InlineData("--storage postgres --no-warm-up", "--no-warm-up go with --load")]
    [InlineData("--storage postgres --load --fog-nodes", "--fog-nodes needs a value")]
    [InlineData("--storage disk", "Unknown arguments '--storage disk'")]
    public async Task Bad_arguments_are_refused_before_anything_starts(string arguments, string says)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(SiloProcessTests.Demo);
        foreach (string a in arguments.Split(' '))
        {
            start.ArgumentList.Add(a);
        }

        using Process demo = Process.Start(start)!;
        Task<string> output = demo.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        Task<string> error = demo.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await demo.WaitForExitAsync(timeout.Token);
        Assert.Equal(2, demo.ExitCode);
        Assert.Contains(says, await error, StringComparison.Ordinal);
        Assert.DoesNotContain("PostgreSQL:", await output, StringComparison.Ordinal);
    }
}
