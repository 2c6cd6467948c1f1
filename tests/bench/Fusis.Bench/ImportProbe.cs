using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fusis.Core.Backends;
using Fusis.Core.Ipvsadm;
using Fusis.Core.Operations;
using Fusis.Core.State;
using Fusis.Netlink.Ipvs;

namespace Fusis.Bench;

/// <summary>Where Import-FusisConfiguration's time goes, step by step, on the real kernel (Fusis.Bench import).</summary>
internal static class ImportProbe
{
    public static int Run()
    {
        var rules = new StringBuilder();
        for (int s = 0; s < 2000; s++)
        {
            rules.Append(CultureInfo.InvariantCulture, $"-A -t 198.18.{s >> 8}.{s & 255}:80 -s wrr\n");
            for (int d = 0; d < 10; d++)
            {
                rules.Append(CultureInfo.InvariantCulture, $"-a -t 198.18.{s >> 8}.{s & 255}:80 -r 198.19.0.{d + 1}:8080 -m -w {d + 1}\n");
            }
        }

        Shell.Run("modprobe", "ip_vs");
        for (int round = 1; round <= 3; round++)
        {
            string ns = $"fusis-probe-{round}";
            Shell.Run("ip", $"netns add {ns}");
            Shell.Run("ip", $"netns exec {ns} ip link set lo up");
            string state = Path.Combine(Path.GetTempPath(), $"fusis-probe-{round}.json");
            var clock = Stopwatch.StartNew();
            IReadOnlyList<DesiredService> services = ConfigurationImport.FromTable(IpvsadmRules.Parse(rules.ToString()), DesiredState.Empty);
            double parse = clock.Elapsed.TotalSeconds;
            var next = new DesiredState(services, []);
            next.Validate();
            double validate = clock.Elapsed.TotalSeconds;
            FileDesiredStateStore.Write(state + ".copy", next);
            double save = clock.Elapsed.TotalSeconds;
            IFusisBackend backend = LocalBackend.OpenAsync(state, "/nonexistent.sock", () => IpvsClient.Open($"/run/netns/{ns}"), CancellationToken.None).GetAwaiter().GetResult();
            double open = clock.Elapsed.TotalSeconds;
            backend.ChangeAsync(new ImportConfigurationOperation(services, Adopt: false), dryRun: false, CancellationToken.None).GetAwaiter().GetResult();
            double change = clock.Elapsed.TotalSeconds;
            backend.DisposeAsync().AsTask().GetAwaiter().GetResult();
            double dispose = clock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round}: parse {parse:0.000} s, validate {validate - parse:0.000} s, a save {save - validate:0.000} s, open {open - save:0.000} s, change {change - open:0.000} s, dispose {dispose - change:0.000} s"));
            Shell.Run("ip", $"netns delete {ns}");
        }

        return 0;
    }
}
