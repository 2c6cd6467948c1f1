using System.Diagnostics;
using System.Net;
using System.Text;

namespace Fusis.Lab.Tests;

/// <summary>
/// The Debian package as an operator installs it, in the lab (its root overlay is writable): dpkg -i, the executable
/// from /usr/bin in a clean environment, the balancer started from there writing the real kernel, the module found
/// by name by a pwsh, and dpkg -r taking the files away while the kernel's table stays.
/// </summary>
public sealed class PackageLabTests : IDisposable
{
    private const string Vip = "198.18.90.1";
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("fusis-pkg-");

    // A clean shell: no FUSIS_* or test variables, only the system's programs.
    private static string Clean(string command) => $"-i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root sh -c \"{command}\"";

    private static string Package => Environment.GetEnvironmentVariable("FUSISTEST_PACKAGE") is { Length: > 0 } path && File.Exists(path)
        ? path
        : throw new InvalidOperationException("FUSISTEST_PACKAGE must name the built .deb (build.ps1 sets it after -Task Package)");

    private static string Pwsh => Environment.GetEnvironmentVariable("FUSISTEST_PWSH") is { Length: > 0 } path && File.Exists(path)
        ? path
        : throw new InvalidOperationException("FUSISTEST_PWSH must name a pwsh executable (build.ps1 sets it)");

    [Fact]
    public async Task The_deb_installs_runs_the_balancer_from_usr_bin_gives_pwsh_the_module_by_name_and_removes_cleanly_leaving_the_kernel_table()
    {
        LabKernel.RequireIpvs();
        string version = Path.GetFileName(Package).Split('_')[1];
        var clock = Stopwatch.StartNew();
        var steps = new List<string>();
        void Step(string what)
        {
            steps.Add($"{what} {clock.Elapsed.TotalSeconds:0} s");
            clock.Restart();
        }

        LabKernel.Run("dpkg", $"-i {Package}", timeout: TimeSpan.FromMinutes(5));
        Step("dpkg -i");
        try
        {
            Assert.Equal(version, LabKernel.Run("env", Clean("fusis --version")).Trim());
            string help = LabKernel.Run("env", Clean("fusis balancer --help"));
            Assert.Contains("--listen <ADDRESS:PORT>", help, StringComparison.Ordinal);
            Assert.True(File.Exists("/lib/systemd/system/fusis-balancer.service") && File.Exists("/etc/fusis/fusis.json"), "the unit or the conffile is missing");
            Step("fusis --version and --help");

            // The balancer from /usr/bin writes the real kernel through its API.
            string state = Path.Combine(_folder.FullName, "state.json");
            var log = new StringBuilder();
            using (Process balancer = Start("/usr/bin/fusis", ["balancer", "--listen", "127.0.0.1:18099", "--state", state, "--local-socket", Path.Combine(_folder.FullName, "fusis.sock")], log))
            {
                using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:18099"), Timeout = TimeSpan.FromSeconds(10) };
                ClusterLab.WaitFor("the packaged balancer's API", TimeSpan.FromSeconds(120), () => Healthy(http), () => log.ToString());
                using HttpResponseMessage created = await http.PostAsync("/services",
                    new StringContent($$"""{"Name":"pkg","Address":"{{Vip}}","Port":80,"Scheduler":"rr"}""", Encoding.UTF8, "application/json"),
                    TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                LabKernel.Run("kill", $"-TERM {balancer.Id}");
                Assert.True(balancer.WaitForExit(TimeSpan.FromSeconds(60)), $"the balancer did not stop on SIGTERM\n{log}");
                Assert.Equal(0, balancer.ExitCode);
            }

            Assert.Contains($"-A -t {Vip}:80 -s rr", LabKernel.Run("ipvsadm", "-S -n"), StringComparison.Ordinal);
            Step("the balancer from /usr/bin");

            // Any pwsh finds the module by name (the package links it into the all-users module folder).
            string pwsh = LabKernel.Run("env",
                $"-i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME={_folder.FullName} FUSIS_STATE_PATH={state} {Pwsh} -NoLogo -NoProfile -NonInteractive -Command " +
                "\"Import-Module Fusis -ErrorAction Stop; (Get-Module Fusis).ModuleBase; Get-FusisService -Name pkg | ForEach-Object { $_.Name + ' ' + $_.Address }\"",
                timeout: TimeSpan.FromMinutes(5));
            Assert.Contains("/usr/local/share/powershell/Modules/Fusis", pwsh, StringComparison.Ordinal);
            Assert.Contains($"pkg {Vip}", pwsh, StringComparison.Ordinal);
            Step("pwsh, Import-Module Fusis by name");

            string table = LabKernel.Run("ipvsadm", "-S -n");
            LabKernel.Run("dpkg", "-r fusis", timeout: TimeSpan.FromMinutes(5));
            Step("dpkg -r");
            Assert.False(File.Exists("/usr/bin/fusis") || Directory.Exists("/usr/lib/fusis") || Directory.Exists("/usr/local/share/powershell/Modules/Fusis"),
                "dpkg -r left the executable, its folder or the module link");
            Assert.Equal(table, LabKernel.Run("ipvsadm", "-S -n"));
            Console.WriteLine($"package: {Path.GetFileName(Package)} installed, served the API from /usr/bin, module found by name, removed; the IPVS table unchanged by the removal ({string.Join(", ", steps)}, emulated)");
        }
        finally
        {
            LabKernel.Run("dpkg", "--purge fusis", check: false, timeout: TimeSpan.FromMinutes(5));
            LabKernel.Run("ipvsadm", $"-D -t {Vip}:80", check: false);
        }
    }

    public void Dispose() => _folder.Delete(recursive: true);

    private static bool Healthy(HttpClient http)
    {
        try
        {
            using HttpResponseMessage response = http.GetAsync("/health").GetAwaiter().GetResult();
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    private static Process Start(string program, string[] arguments, StringBuilder log)
    {
        var info = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment.Clear();
        info.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
