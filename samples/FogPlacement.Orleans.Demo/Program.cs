// One command, a federated round trip on Orleans. Without arguments (or with --storage memory): two silos in this
// process with in-memory storage. With --storage postgres: three silo processes on PostgreSQL, one killed with SIGKILL
// each round and the whole cluster restarted between two rounds (--load: the load measurement instead). Exit code 0
// only when every check held. The silo processes are this program in its "silo" mode.
using System.Globalization;
using FogPlacement.Orleans.Demo;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
try
{
    return args switch
    {
        [] or ["--storage", "memory"] => await InMemoryDemo.RunAsync(),
        ["--storage", "postgres", .. var rest] => await PostgresDemo.RunAsync(rest),
        ["silo", .. var rest] => await SiloHost.RunAsync(rest),
        _ => throw new ArgumentException($"Unknown arguments '{string.Join(' ', args)}'."),
    };
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine("usage: FogPlacement.Orleans.Demo [--storage memory | --storage postgres [--load [--fog-nodes N] [--rounds N] [--partial-kb N | --parameters N] [--shard-parameters N] [--silos N] [--no-warm-up]]]");
    return 2;
}
