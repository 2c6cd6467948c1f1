// Benchmarks, side by side with the reference tools in the same run:
//   Fusis.Bench ipvs [services] [destinations]   inside the lab (real IPVS): Fusis vs ipvsadm
//   Fusis.Bench serf                              on the host: real serf agents on loopback
//   Fusis.Bench import                            inside the lab: where an import's time goes, step by step
//   Fusis.Bench health                            inside the lab: how fast a health check takes a dead backend out
//   Fusis.Bench growth [services...]              inside the lab: how each operation grows with the table (22 to 220,000 objects)
//   Fusis.Bench members [services...]             inside the lab: one Serf member join's cost from 22 to 220,000 objects; 1,000 agents
//   Fusis.Bench crash [seed]                      inside the lab: kill -9 of the daemon in bursts of writes, 20 times; nothing acknowledged lost
using Fusis.Bench;

return args.FirstOrDefault() switch
{
    "serf" => await SerfBenchmark.RunAsync(),
    "ipvs" => IpvsBenchmark.Run(args[1..]),
    "import" => ImportProbe.Run(),
    "health" => HealthBenchmark.Run(),
    "growth" => GrowthBenchmark.Run(args[1..]),
    "crash" => CrashBenchmark.Run(args[1..]),
    "members" => MembershipBenchmark.Run(args[1..]),
    _ => IpvsBenchmark.Run(args),
};
