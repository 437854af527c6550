using System.CommandLine;
using System.Globalization;
using FogPlacement.Quantities;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;

namespace FogPlacement.Cli;

/// <summary>
/// <c>fogplacement trace</c>: a synthetic trace of one target's rate and round trip from a two-state Gilbert–Elliott
/// fading channel (a good and a bad state, Markov switching), with log-normal noise, seeded. Its CSV is what
/// <c>replay</c> reads.
/// </summary>
internal static class TraceCommand
{
    /// <summary>The most rows a trace is generated with: 10,000,000.</summary>
    public const int MaxRows = 10_000_000;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var target = new Option<string>("--target") { Description = "The tier (or from>to link) the trace measures.", DefaultValueFactory = _ => "fog" };
        var good = new Option<string>("--good") { Description = "The rate in the good state.", DefaultValueFactory = _ => "120 Mbit/s" };
        var bad = new Option<string>("--bad") { Description = "The rate in the bad state.", DefaultValueFactory = _ => "15 Mbit/s" };
        var roundTrip = new Option<string>("--round-trip") { Description = "The mean round trip.", DefaultValueFactory = _ => "6 ms" };
        var toBad = new Option<double>("--p-bad") { Description = "Probability of going from good to bad at each row.", DefaultValueFactory = _ => 0.02 };
        var toGood = new Option<double>("--p-good") { Description = "Probability of going from bad to good at each row.", DefaultValueFactory = _ => 0.1 };
        var cv = new Option<double>("--cv") { Description = "Coefficient of variation of the log-normal noise on rate and round trip.", DefaultValueFactory = _ => 0.1 };
        var rows = new Option<int>("--rows") { Description = "Rows to generate.", DefaultValueFactory = _ => 600 };
        var interval = new Option<double>("--interval") { Description = "Seconds between rows.", DefaultValueFactory = _ => 0.1 };
        var seed = new Option<int>("--seed") { Description = "Seed of the random source.", DefaultValueFactory = _ => 1 };
        var command = new Command("trace", "Writes a synthetic trace (Gilbert–Elliott fading link, seeded) as CSV for replay.")
        {
            target, good, bad, roundTrip, toBad, toGood, cv, rows, interval, seed,
        };
        command.SetAction(result => CommandLine.Guard(stderr, "trace", () =>
        {
            int count = result.GetValue(rows);
            double step = result.GetValue(interval), pBad = result.GetValue(toBad), pGood = result.GetValue(toGood), noise = result.GetValue(cv);
            if (count is < 1 or > MaxRows)
            {
                throw new ArgumentException($"--rows {count}: must be from 1 to {MaxRows:N0}.");
            }

            foreach ((string option, double p) in new[] { ("--p-bad", pBad), ("--p-good", pGood) })
            {
                if (!(p is >= 0 and <= 1))
                {
                    throw new ArgumentException($"{option} {p}: must be a probability from 0 to 1.");
                }
            }

            if (!(step > 0 && double.IsFinite(step)))
            {
                throw new ArgumentException($"--interval {step}: must be a positive number of seconds.");
            }

            if (!(noise is > 0 and <= 1))
            {
                throw new ArgumentException($"--cv {noise}: must be greater than 0 and at most 1.");
            }

            DataRate goodRate = DataRate.Parse(result.GetValue(good)!), badRate = DataRate.Parse(result.GetValue(bad)!);
            Duration meanRoundTrip = Duration.Parse(result.GetValue(roundTrip)!);
            if (goodRate == DataRate.Zero || badRate == DataRate.Zero)
            {
                throw new ArgumentException("--good and --bad must be greater than zero.");
            }

            var random = new Xoshiro256StarStar(result.GetValue(seed), threadSafe: false);
            double sigma = Math.Sqrt(Math.Log(1 + (noise * noise)));
            var factor = new LogNormal(-(sigma * sigma) / 2, sigma, random); // mean 1
            CultureInfo c = CultureInfo.InvariantCulture;
            stdout.WriteLine("time,target,rate,roundTrip");
            bool inGood = true;
            string name = result.GetValue(target)!;
            for (int i = 0; i < count; i++)
            {
                inGood = inGood ? random.NextDouble() >= pBad : random.NextDouble() < pGood;
                double rate = (inGood ? goodRate : badRate).MegabitsPerSecond * factor.Sample();
                double rtt = meanRoundTrip.Milliseconds * factor.Sample();
                stdout.WriteLine(string.Create(c, $"{i * step:0.###},{name},{rate:0.###} Mbit/s,{rtt:0.###} ms"));
            }
        }));
        return command;
    }
}
