// Benchmarks, side by side with the reference tools in the same run:
//   Fusis.Bench ipvs [services] [destinations]   inside the lab (real IPVS): Fusis vs ipvsadm
//   Fusis.Bench serf                              on the host: real serf agents on loopback
//   Fusis.Bench import                            inside the lab: where an import's time goes, step by step
//   Fusis.Bench health                            inside the lab: how fast a health check takes a dead backend out
using Fusis.Bench;

return args.FirstOrDefault() switch
{
    "serf" => await SerfBenchmark.RunAsync(),
    "ipvs" => IpvsBenchmark.Run(args[1..]),
    "import" => ImportProbe.Run(),
    "health" => HealthBenchmark.Run(),
    _ => IpvsBenchmark.Run(args),
};
