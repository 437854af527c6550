using System.Globalization;
using FogPlacement.Quantities;
using FogPlacement.Validation;

namespace FogPlacement.Fleets;

/// <summary>
/// A discrete-event simulation of a fleet under a plan, to check the plan's analytic means: every remote tier's uplink and
/// compute is a processor-sharing server of capacity 1 shared by the whole fleet, every device's compute its own
/// processor-sharing server, and a request of candidate k visits its device (size s_dev), its tier's uplink (s_up) and its
/// tier's compute (s_c) in turn, skipping a stage of size 0; its latency is the sum of its sojourns plus the round trip τ.
/// </summary>
/// <remarks>
/// <para>Each device sends a Poisson stream of rate r. The fleet's devices are superposed into one Poisson stream of rate
/// Σ N·r: an arrival picks its class in proportion to the classes' demands and its device uniformly in the class. Under a
/// plan of whole devices the device's index fixes its candidate (the first <c>Devices</c> of the class's devices take its
/// first share, and so on); under a fractional plan every request picks its candidate with probability <c>Fraction</c>.</para>
/// <para>A processor-sharing server runs on virtual time: V, the service each of its n jobs has received, grows at 1/n
/// a second; a job arriving at V with size s leaves when V reaches V + s, so the next departure is the least such finish
/// (a min-heap per server) and happens (finish − V)·n seconds from now. The events are each server's next departure and
/// the next arrival, kept in one indexed min-heap with a slot per server, so a server's departure moves in place when
/// its population changes and no stale event is ever queued. A device's server exists only while the device has work:
/// it is taken from a pool when a request reaches an idle device and returned when the device empties, so memory grows
/// with the devices busy at once, not with the fleet. Jobs live in pooled arrays; a run allocates nothing per request
/// once its pools have grown.</para>
/// <para>Requests are numbered as they arrive. The first <see cref="SimulationSettings.WarmupRequests"/> are not measured,
/// the next <see cref="SimulationSettings.Requests"/> are, and arrivals continue until the last measured request has
/// completed, so that it sees the same load as the others.</para>
/// </remarks>
internal static class FleetSimulator
{
    /// <summary>The 95 % two-sided confidence level's upper quantile.</summary>
    private const double Confidence = 0.975;

    /// <summary>Simulates <paramref name="fleet"/> under <paramref name="plan"/>.</summary>
    /// <param name="fleet">The fleet.</param>
    /// <param name="plan">A plan of the fleet, whole or fractional.</param>
    /// <param name="settings">How long and how to simulate.</param>
    /// <returns>What the simulation measured.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ModelException">The settings are invalid: <see cref="ModelException.Problems"/> has every problem at its property.</exception>
    /// <exception cref="ArgumentException">The plan is not one of this fleet's (its classes, placements or device counts differ), or it
    /// loads a resource to saturation (ρ ≥ 1), where a simulation would never reach a steady state; <see cref="ArgumentException.ParamName"/> is <c>plan</c>.</exception>
    public static FleetSimulation Run(Fleet fleet, FleetPlan plan, SimulationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        Routes routes = Routes.Of(fleet, plan);
        var engine = new Engine(routes, settings);
        engine.Run();
        return engine.Result();
    }

    /// <summary>
    /// The plan as the engine reads it: a route per share of every class, with its three stages' sizes and servers, and
    /// the cumulative weights by which an arrival picks its class, its device and its route.
    /// </summary>
    private sealed class Routes
    {
        /// <summary>Gets the number of classes.</summary>
        public int Classes { get; private init; }

        /// <summary>Gets the number of remote tiers; servers 2t and 2t + 1 are tier t's uplink and compute.</summary>
        public int Tiers { get; private init; }

        /// <summary>Gets each class's devices, N.</summary>
        public required int[] Devices { get; init; }

        /// <summary>Gets each class's share of the fleet's arrivals, cumulative: class c takes a uniform u below entry c and at or above entry c − 1.</summary>
        public required double[] ClassWeight { get; init; }

        /// <summary>Gets the fleet's total arrival rate Σ N·r, per second.</summary>
        public double Rate { get; private init; }

        /// <summary>Gets where each class's routes start; class c's are <c>Start[c]</c> to <c>Start[c + 1]</c>.</summary>
        public required int[] Start { get; init; }

        /// <summary>
        /// Gets each route's cumulative weight within its class: for whole devices, the devices up to and including it
        /// (a device d takes the first route whose weight exceeds d); for fractions, the fractions up to and including it.
        /// </summary>
        public required double[] Weight { get; init; }

        /// <summary>Gets whether the plan is of whole devices.</summary>
        public bool Whole { get; private init; }

        /// <summary>Gets each route's stage sizes in seconds at capacity 1, three per route: device, uplink, compute.</summary>
        public required double[] Size { get; init; }

        /// <summary>Gets each route's tier's uplink server (index 1 of its three) and compute server (index 2), −1 where it has none.</summary>
        public required int[] Server { get; init; }

        /// <summary>Gets each route's round trip τ, in seconds.</summary>
        public required double[] RoundTrip { get; init; }

        /// <summary>Gets each route's λ·E, in seconds.</summary>
        public required double[] Energy { get; init; }

        /// <summary>Gets each route's class.</summary>
        public required int[] Owner { get; init; }

        /// <summary>Gets each class's name.</summary>
        public required string[] Names { get; init; }

        /// <summary>Reads <paramref name="plan"/> against <paramref name="fleet"/>, checking that it is one of its plans and that it is stable.</summary>
        public static Routes Of(Fleet fleet, FleetPlan plan)
        {
            ReadOnlySpan<ClassCandidates> classes = fleet.CandidateSpan;
            if (plan.Classes.Count != classes.Length)
            {
                throw new ArgumentException($"The plan has {plan.Classes.Count} classes; the fleet has {classes.Length}, so the plan is not one of this fleet's.", nameof(plan));
            }

            int tiers = fleet.Model.Tiers.Count;
            int count = 0;
            for (int c = 0; c < classes.Length; c++)
            {
                if (plan.Classes[c].Name != classes[c].Owner.Name)
                {
                    throw new ArgumentException($"The plan's class {c} is '{plan.Classes[c].Name}'; the fleet's is '{classes[c].Owner.Name}', so the plan is not one of this fleet's.", nameof(plan));
                }

                count += plan.Classes[c].Shares.Count;
            }

            bool whole = !plan.IsFractional;
            var start = new int[classes.Length + 1];
            var weight = new double[count];
            var size = new double[3 * count];
            var server = new int[3 * count];
            var roundTrip = new double[count];
            var energy = new double[count];
            var owner = new int[count];
            var devices = new int[classes.Length];
            var classWeight = new double[classes.Length];
            var rho = new double[2 * tiers];
            double rate = 0;
            int r = 0;
            for (int c = 0; c < classes.Length; c++)
            {
                ClassCandidates cc = classes[c];
                ClassPlan cp = plan.Classes[c];
                start[c] = r;
                devices[c] = cc.Owner.Devices;
                rate += cc.Owner.Demand;
                classWeight[c] = rate;
                double total = 0;
                int next = 0;
                foreach (CandidateShare share in cp.Shares)
                {
                    // A plan lists its shares in candidate order, so each search starts after the last share's candidate.
                    int k = next < cc.Names.Length ? Array.IndexOf(cc.Names, share.Placement, next) : -1;
                    k = k >= 0 ? k : Array.IndexOf(cc.Names, share.Placement);
                    next = k + 1;
                    if (k < 0)
                    {
                        throw new ArgumentException($"Class '{cp.Name}': the plan places requests on '{share.Placement}', which is not one of the class's candidates ({Preconditions.Names(cc.Names)}), so the plan is not one of this fleet's.", nameof(plan));
                    }

                    // A route's amount: its devices under whole devices, its fraction of the class's requests otherwise.
                    double amount = whole
                        ? share.Devices is { } d && d >= 0 ? d : throw new ArgumentException($"Class '{cp.Name}': the plan is of whole devices, but its share on '{share.Placement}' gives {share.Devices?.ToString(CultureInfo.InvariantCulture) ?? "no"} devices.", nameof(plan))
                        : double.IsFinite(share.Fraction) && share.Fraction >= 0 ? share.Fraction : throw new ArgumentException($"Class '{cp.Name}': the plan's share on '{share.Placement}' has fraction {share.Fraction}, which is not a fraction.", nameof(plan));
                    total += amount;
                    weight[r] = amount;
                    owner[r] = c;
                    int t = cc.Tier[k];
                    size[3 * r] = cc.DeviceSize[k];
                    size[(3 * r) + 1] = t >= 0 ? cc.UplinkSize[k] : 0;
                    size[(3 * r) + 2] = t >= 0 ? cc.ComputeSize[k] : 0;
                    server[3 * r] = -1;
                    server[(3 * r) + 1] = t >= 0 ? 2 * t : -1;
                    server[(3 * r) + 2] = t >= 0 ? (2 * t) + 1 : -1;
                    roundTrip[r] = cc.Placements[k].RoundTrip.Seconds;
                    energy[r] = cc.Fixed[k] - roundTrip[r];
                    r++;
                }

                if (whole ? total != cc.Owner.Devices : !(Math.Abs(total - 1) <= 1e-6))
                {
                    throw new ArgumentException(
                        whole
                            ? $"Class '{cp.Name}' has {cc.Owner.Devices:N0} devices; the plan places {total:N0}, so the plan is not one of this fleet's."
                            : $"Class '{cp.Name}': the plan's fractions sum to {total:R}, not 1.",
                        nameof(plan));
                }

                double deviceLoad = 0;
                double cumulative = 0;
                for (int i = start[c]; i < r; i++)
                {
                    // Fractions that sum to 1 within rounding are scaled to sum to 1 exactly.
                    double fraction = whole ? weight[i] / cc.Owner.Devices : weight[i] / total;
                    double flow = fraction * cc.Owner.Demand;
                    if (server[(3 * i) + 1] >= 0)
                    {
                        rho[server[(3 * i) + 1]] += flow * size[(3 * i) + 1];
                        rho[server[(3 * i) + 2]] += flow * size[(3 * i) + 2];
                    }

                    // A device's own server carries its one route under whole devices, and its share of every route under fractions.
                    double own = cc.Rate * size[3 * i];
                    deviceLoad = !whole ? deviceLoad + (fraction * own) : weight[i] > 0 ? Math.Max(deviceLoad, own) : deviceLoad;
                    cumulative += whole ? weight[i] : fraction;
                    weight[i] = cumulative;
                }

                // The last route that carries any of the class takes every draw up to the end, a device index below N or a
                // uniform below 1, whatever the rounding of the sum; routes after it carry nothing and stay unreachable.
                for (int i = r - 1; i >= start[c]; i--)
                {
                    bool carries = weight[i] > (i > start[c] ? weight[i - 1] : 0);
                    weight[i] = whole ? cc.Owner.Devices : 1;
                    if (carries)
                    {
                        break;
                    }
                }

                if (!(deviceLoad < 1))
                {
                    throw new ArgumentException($"The plan loads the devices of class '{cp.Name}' to ρ = {deviceLoad:G4}; a simulation of a saturated server never reaches a steady state.", nameof(plan));
                }
            }

            start[classes.Length] = r;
            for (int j = 0; j < rho.Length; j++)
            {
                if (!(rho[j] < 1))
                {
                    throw new ArgumentException($"The plan loads the {Flows.ResourceName(fleet, j)} to ρ = {rho[j]:G4}; a simulation of a saturated server never reaches a steady state.", nameof(plan));
                }
            }

            for (int c = 0; c < classWeight.Length; c++)
            {
                classWeight[c] /= rate;
            }

            classWeight[^1] = 1;
            return new Routes
            {
                Classes = classes.Length,
                Tiers = tiers,
                Devices = devices,
                ClassWeight = classWeight,
                Rate = rate,
                Start = start,
                Weight = weight,
                Whole = whole,
                Size = size,
                Server = server,
                RoundTrip = roundTrip,
                Energy = energy,
                Owner = owner,
                Names = [.. plan.Classes.Select(p => p.Name)],
            };
        }
    }

    /// <summary>A processor-sharing server: its virtual time, its jobs in a min-heap of their finishing virtual times, and its owner when it is a device's.</summary>
    private sealed class Server
    {
        /// <summary>The service every job present has received since the server last emptied, in seconds at capacity 1.</summary>
        public double Virtual;

        /// <summary>The simulated time at which <see cref="Virtual"/> was last brought up to date.</summary>
        public double Updated;

        /// <summary>How many jobs the server holds, n.</summary>
        public int Count;

        /// <summary>The heap of the jobs' finishing virtual times, least first.</summary>
        public double[] Finish = new double[4];

        /// <summary>The jobs, in the same heap order as <see cref="Finish"/>.</summary>
        public int[] Jobs = new int[4];

        /// <summary>For a device's server, its class; −1 for a tier's.</summary>
        public int OwnerClass = -1;

        /// <summary>For a device's server, the device's index in its class.</summary>
        public int OwnerDevice;

        /// <summary>Adds <paramref name="job"/>, finishing at virtual time <paramref name="finish"/>.</summary>
        public void Push(double finish, int job)
        {
            if (Count == Finish.Length)
            {
                Array.Resize(ref Finish, 2 * Count);
                Array.Resize(ref Jobs, 2 * Count);
            }

            int i = Count++;
            while (i > 0)
            {
                int parent = (i - 1) >> 1;
                if (Finish[parent] <= finish)
                {
                    break;
                }

                Finish[i] = Finish[parent];
                Jobs[i] = Jobs[parent];
                i = parent;
            }

            Finish[i] = finish;
            Jobs[i] = job;
        }

        /// <summary>Removes and returns the job that finishes first.</summary>
        public int Pop()
        {
            int job = Jobs[0];
            int n = --Count;
            if (n > 0)
            {
                double finish = Finish[n];
                int last = Jobs[n];
                int i = 0;
                while (true)
                {
                    int child = (2 * i) + 1;
                    if (child >= n)
                    {
                        break;
                    }

                    if (child + 1 < n && Finish[child + 1] < Finish[child])
                    {
                        child++;
                    }

                    if (finish <= Finish[child])
                    {
                        break;
                    }

                    Finish[i] = Finish[child];
                    Jobs[i] = Jobs[child];
                    i = child;
                }

                Finish[i] = finish;
                Jobs[i] = last;
            }

            return job;
        }
    }

    /// <summary>One run: the clock, the event heap, the servers and the jobs, and what is measured.</summary>
    private sealed class Engine
    {
        /// <summary>The event heap's item for the next arrival; server s is item s + 1.</summary>
        private const int ArrivalItem = 0;

        private readonly Routes routes;
        private readonly bool exponential;
        private readonly long warmup;
        private readonly long requests;
        private readonly int batches;

        // The indexed event heap: items ordered by time; position[item] is the item's place in heap, −1 when absent.
        private int[] heap;
        private int heapCount;
        private int[] position;
        private double[] time;

        // Servers 0 to 2T − 1 are the tiers'; device servers follow, made on demand and recycled through the free stack.
        private Server[] servers;
        private int serverCount;
        private int[] freeServers;
        private int freeServerCount;
        private readonly Dictionary<int, int>[] deviceServer;

        // The jobs in the system: their route, device, current stage, arrival time and measuring batch (−1 when not measured).
        private int[] jobRoute;
        private int[] jobDevice;
        private int[] jobStage;
        private double[] jobArrival;
        private int[] jobBatch;
        private int[] freeJobs;
        private int freeJobCount;
        private int jobCapacity;

        private SimulationRandom random;
        private double now;
        private long arrivals;
        private long completed;

        // What is measured, per class: sums over the measured requests, per batch, and the latency histogram.
        private readonly long[] classCount;
        private readonly double[] classLatency;
        private readonly double[] classObjective;
        private readonly long[] batchCount;
        private readonly double[] batchLatency;
        private readonly LatencyHistogram[] histograms;

        public Engine(Routes routes, SimulationSettings settings)
        {
            this.routes = routes;
            exponential = settings.Sizes == JobSizes.Exponential;
            warmup = settings.WarmupRequests;
            requests = settings.Requests;
            batches = settings.Batches;
            random = new SimulationRandom(settings.Seed);

            int tierServers = 2 * routes.Tiers;
            int capacity = tierServers + 16;
            servers = new Server[capacity];
            for (int s = 0; s < tierServers; s++)
            {
                servers[s] = new Server();
            }

            serverCount = tierServers;
            freeServers = new int[capacity];
            heap = new int[capacity + 1];
            position = new int[capacity + 1];
            time = new double[capacity + 1];
            Array.Fill(position, -1);
            deviceServer = new Dictionary<int, int>[routes.Classes];
            for (int c = 0; c < routes.Classes; c++)
            {
                deviceServer[c] = [];
            }

            jobCapacity = 64;
            jobRoute = new int[jobCapacity];
            jobDevice = new int[jobCapacity];
            jobStage = new int[jobCapacity];
            jobArrival = new double[jobCapacity];
            jobBatch = new int[jobCapacity];
            freeJobs = new int[jobCapacity];
            for (int j = 0; j < jobCapacity; j++)
            {
                freeJobs[j] = jobCapacity - 1 - j;
            }

            freeJobCount = jobCapacity;
            classCount = new long[routes.Classes];
            classLatency = new double[routes.Classes];
            classObjective = new double[routes.Classes];
            batchCount = new long[routes.Classes * batches];
            batchLatency = new double[routes.Classes * batches];
            histograms = new LatencyHistogram[routes.Classes];
            for (int c = 0; c < routes.Classes; c++)
            {
                histograms[c] = new LatencyHistogram();
            }
        }

        /// <summary>Runs events until every measured request has completed.</summary>
        public void Run()
        {
            Schedule(ArrivalItem, random.NextExponential() / routes.Rate);
            while (completed < requests)
            {
                int item = heap[0];
                now = time[item];
                if (item == ArrivalItem)
                {
                    Arrive();
                }
                else
                {
                    Depart(item - 1);
                }
            }
        }

        /// <summary>The measurements, per class and over the fleet.</summary>
        public FleetSimulation Result()
        {
            double t = StudentT.Quantile(Confidence, batches - 1);
            var classes = new ClassSimulation[routes.Classes];
            double latency = 0;
            double objective = 0;
            for (int c = 0; c < routes.Classes; c++)
            {
                long n = classCount[c];
                latency += classLatency[c];
                objective += classObjective[c];
                double mean = n > 0 ? classLatency[c] / n : 0;
                Duration? standardError = null;
                Duration? halfWidth = null;

                // Batch means over the batches that hold some of the class's requests; a rare class may miss a few.
                int used = 0;
                double sum = 0;
                double squares = 0;
                for (int b = 0; b < batches; b++)
                {
                    long m = batchCount[(c * batches) + b];
                    if (m > 0)
                    {
                        double x = batchLatency[(c * batches) + b] / m;
                        used++;
                        sum += x;
                        squares += x * x;
                    }
                }

                if (used >= 2)
                {
                    double average = sum / used;
                    double variance = Math.Max(0, (squares - (used * average * average)) / (used - 1));
                    double error = Math.Sqrt(variance / used);
                    standardError = Duration.FromSeconds(error);
                    halfWidth = Duration.FromSeconds(error * (used == batches ? t : StudentT.Quantile(Confidence, used - 1)));
                }

                classes[c] = new ClassSimulation(
                    routes.Names[c],
                    n,
                    Duration.FromSeconds(mean),
                    standardError,
                    halfWidth,
                    Duration.FromSeconds(histograms[c].Quantile(0.95)),
                    Duration.FromSeconds(histograms[c].Quantile(0.99)),
                    Duration.FromSeconds(n > 0 ? classObjective[c] / n : 0));
            }

            return new FleetSimulation(classes, requests, Duration.FromSeconds(now), Duration.FromSeconds(latency / requests), Duration.FromSeconds(objective / requests));
        }

        /// <summary>The next arrival: picks its class, device and route, starts it on its first stage and draws the one after.</summary>
        private void Arrive()
        {
            long number = arrivals++;
            int batch = number >= warmup && number - warmup < requests ? (int)((number - warmup) * batches / requests) : -1;
            double[] classWeight = routes.ClassWeight;
            int c = 0;
            if (classWeight.Length > 1)
            {
                double u = random.NextDouble();
                while (u >= classWeight[c])
                {
                    c++;
                }
            }

            int device = random.NextInt(routes.Devices[c]);
            int route = routes.Whole ? Find(routes.Start[c], routes.Start[c + 1], device) : Find(routes.Start[c], routes.Start[c + 1], random.NextDouble());
            int job = NewJob();
            jobRoute[job] = route;
            jobDevice[job] = device;
            jobArrival[job] = now;
            jobBatch[job] = batch;
            Enter(job, 0);

            // The arrival item was the heap's least; its new time only moves it down.
            time[ArrivalItem] = now + (random.NextExponential() / routes.Rate);
            SiftDown(position[ArrivalItem]);
        }

        /// <summary>The route in [<paramref name="from"/>, <paramref name="to"/>) whose cumulative weight first exceeds <paramref name="u"/>, by binary search.</summary>
        private int Find(int from, int to, double u)
        {
            double[] weight = routes.Weight;
            int lo = from;
            int hi = to - 1;
            while (lo < hi)
            {
                int mid = (lo + hi) >> 1;
                if (u < weight[mid])
                {
                    hi = mid;
                }
                else
                {
                    lo = mid + 1;
                }
            }

            return lo;
        }

        /// <summary>Sends <paramref name="job"/> to its first stage from <paramref name="stage"/> on that has work, or completes it.</summary>
        private void Enter(int job, int stage)
        {
            int route = jobRoute[job];
            double[] size = routes.Size;
            for (; stage < 3; stage++)
            {
                double s = size[(3 * route) + stage];
                if (s > 0)
                {
                    jobStage[job] = stage;
                    int server = stage == 0 ? DeviceServer(routes.Owner[route], jobDevice[job]) : routes.Server[(3 * route) + stage];
                    Join(server, job, exponential ? s * random.NextExponential() : s);
                    return;
                }
            }

            Complete(job, route);
        }

        /// <summary>Adds <paramref name="job"/> of size <paramref name="size"/> to server <paramref name="s"/> now.</summary>
        private void Join(int s, int job, double size)
        {
            Server server = servers[s];
            if (server.Count > 0)
            {
                server.Virtual += (now - server.Updated) / server.Count;
            }

            server.Updated = now;
            server.Push(server.Virtual + size, job);
            Schedule(s + 1, now + (Math.Max(0, server.Finish[0] - server.Virtual) * server.Count));
        }

        /// <summary>Server <paramref name="s"/>'s next departure: its job moves to its next stage.</summary>
        private void Depart(int s)
        {
            Server server = servers[s];

            // The leaving job has received exactly its size, so the virtual time is its finish, without the rounding of advancing it.
            server.Virtual = server.Finish[0];
            server.Updated = now;
            int job = server.Pop();
            if (server.Count > 0)
            {
                Schedule(s + 1, now + (Math.Max(0, server.Finish[0] - server.Virtual) * server.Count));
            }
            else
            {
                // An empty server starts its virtual time afresh, which keeps it small and exact; a device's goes back to the pool.
                server.Virtual = 0;
                Unschedule(s + 1);
                if (server.OwnerClass >= 0)
                {
                    deviceServer[server.OwnerClass].Remove(server.OwnerDevice);
                    server.OwnerClass = -1;
                    freeServers[freeServerCount++] = s;
                }
            }

            Enter(job, jobStage[job] + 1);
        }

        /// <summary>The server of device <paramref name="device"/> of class <paramref name="c"/>: its own while it has work, else one from the pool.</summary>
        private int DeviceServer(int c, int device)
        {
            Dictionary<int, int> map = deviceServer[c];
            if (map.TryGetValue(device, out int s))
            {
                return s;
            }

            if (freeServerCount > 0)
            {
                s = freeServers[--freeServerCount];
            }
            else
            {
                if (serverCount == servers.Length)
                {
                    int grown = 2 * servers.Length;
                    Array.Resize(ref servers, grown);
                    Array.Resize(ref freeServers, grown);
                    Array.Resize(ref heap, grown + 1);
                    Array.Resize(ref time, grown + 1);
                    int old = position.Length;
                    Array.Resize(ref position, grown + 1);
                    Array.Fill(position, -1, old, position.Length - old);
                }

                s = serverCount++;
                servers[s] = new Server();
            }

            servers[s].OwnerClass = c;
            servers[s].OwnerDevice = device;
            map.Add(device, s);
            return s;
        }

        /// <summary>Records a completed request, if it is measured, and frees its job.</summary>
        private void Complete(int job, int route)
        {
            int batch = jobBatch[job];
            if (batch >= 0)
            {
                int c = routes.Owner[route];
                double latency = now - jobArrival[job] + routes.RoundTrip[route];
                classCount[c]++;
                classLatency[c] += latency;
                classObjective[c] += latency + routes.Energy[route];
                batchCount[(c * batches) + batch]++;
                batchLatency[(c * batches) + batch] += latency;
                histograms[c].Add(latency);
                completed++;
            }

            freeJobs[freeJobCount++] = job;
        }

        /// <summary>A free job slot, growing the pool when every slot is in use.</summary>
        private int NewJob()
        {
            if (freeJobCount == 0)
            {
                int grown = 2 * jobCapacity;
                Array.Resize(ref jobRoute, grown);
                Array.Resize(ref jobDevice, grown);
                Array.Resize(ref jobStage, grown);
                Array.Resize(ref jobArrival, grown);
                Array.Resize(ref jobBatch, grown);
                Array.Resize(ref freeJobs, grown);
                for (int j = grown - 1; j >= jobCapacity; j--)
                {
                    freeJobs[freeJobCount++] = j;
                }

                jobCapacity = grown;
            }

            return freeJobs[--freeJobCount];
        }

        /// <summary>Puts <paramref name="item"/> in the event heap at time <paramref name="at"/>, or moves it there.</summary>
        private void Schedule(int item, double at)
        {
            time[item] = at;
            int p = position[item];
            if (p < 0)
            {
                p = heapCount++;
                heap[p] = item;
                position[item] = p;
                SiftUp(p);
            }
            else
            {
                SiftDown(SiftUp(p));
            }
        }

        /// <summary>Takes <paramref name="item"/> out of the event heap.</summary>
        private void Unschedule(int item)
        {
            int p = position[item];
            position[item] = -1;
            int last = heap[--heapCount];
            if (p < heapCount)
            {
                heap[p] = last;
                position[last] = p;
                SiftDown(SiftUp(p));
            }
        }

        /// <summary>Moves the item at <paramref name="p"/> up while it is earlier than its parent; returns where it ends.</summary>
        private int SiftUp(int p)
        {
            int item = heap[p];
            double at = time[item];
            while (p > 0)
            {
                int parent = (p - 1) >> 1;
                int other = heap[parent];
                if (time[other] <= at)
                {
                    break;
                }

                heap[p] = other;
                position[other] = p;
                p = parent;
            }

            heap[p] = item;
            position[item] = p;
            return p;
        }

        /// <summary>Moves the item at <paramref name="p"/> down while a child is earlier.</summary>
        private void SiftDown(int p)
        {
            int item = heap[p];
            double at = time[item];
            int n = heapCount;
            while (true)
            {
                int child = (2 * p) + 1;
                if (child >= n)
                {
                    break;
                }

                if (child + 1 < n && time[heap[child + 1]] < time[heap[child]])
                {
                    child++;
                }

                int other = heap[child];
                if (at <= time[other])
                {
                    break;
                }

                heap[p] = other;
                position[other] = p;
                p = child;
            }

            heap[p] = item;
            position[item] = p;
        }
    }
}
