#Requires -Version 7.6
<#
.SYNOPSIS
    The one front door of the Fusis repository: build, test, and run commands in the real-kernel lab.

.DESCRIPTION
    -Task Build   builds the solution, publishes the module's assemblies and lays the module out in
                  out/Fusis/<version>/ from an explicit file list (a missing file fails the build).
    -Task Test    Build, then the xunit suites on the host, Pester in a fresh pwsh against the laid-out module,
                  then the lab suite inside the VM. Prints a count per runner and, last, one line
                  'N passed, N failed, N skipped'. Exits non-zero on any failure, when nothing ran, or when the
                  lab could not run.
    -Task Lab     runs -Command (a shell command) inside the lab VM with the checkout at the same path and the
                  current directory kept, streams its output and exits with its exit code
                  (124: timeout, 125: the lab itself failed).
    -Task Bench   the benchmarks of tests/bench: the Serf client against real agents on the host, then IPVS inside
                  the lab side by side with ipvsadm (2,000 services x 10 destinations), a health check's detection
                  time, how each operation grows from 22 to 220,000 objects (out/bench/growth.md, growth.png), what a
                  Serf member join costs at those sizes, and a crash test (20 kill -9s in bursts of writes); prints
                  the figures and exits non-zero when a target is missed.
    -Task Demo    the main job, in the lab: a balancer, backends joining through Serf with fusis agent, real
                  requests through a VIP; a health check, a Serf failure, a new backend, a graceful drain and a
                  balancer restart under traffic, narrated with Get-FusisService/ipvsadm tables and request counts
                  (the lab suite runs the same scenario as assertions); every forwarding method (NAT, direct
                  routing, ipip, GUE, GRE, IPv6) carrying requests and a 32 MB download; a cluster failover;
                  active/active over BGP behind a router. About 11 minutes.
    -Task LabTests  Build, then only the lab tests whose full names match -Filter (xunit -method patterns, for
                  example 'Fusis.Lab.Tests.SnatLabTests.*') in one boot: what a change needs while it is worked on.
    -Task Package Build, then out/packages/: fusis_<version>_amd64.deb (a self-contained publish, the systemd units,
                  the module) and Fusis.<version>.nupkg, published there as to a local PSResourceGet repository.
    -Task Clean   removes build output (out/, bin/, obj/); the lab cache (.lab/) and tools (.tools/) stay.

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Demo

.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Lab -Command 'modprobe ip_vs && ipvsadm -Ln'
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Demo', 'Lab', 'LabTests', 'Bench', 'Clean', 'PesterChild')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # The shell command that -Task Lab runs inside the VM.
    [string] $Command,

    # The lab tests -Task LabTests runs (xunit -method patterns, several separated by commas).
    [string[]] $Filter,

    # Bound on the whole VM lifetime for -Task Lab and the lab suite of -Task Test.
    [ValidateRange(10, 5400)]
    [int] $TimeoutSeconds = 1800
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$PSStyle.OutputRendering = 'PlainText'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

$RepoRoot = $PSScriptRoot
$OutDir = Join-Path $RepoRoot 'out'
$ResultsDir = Join-Path $OutDir 'test-results'
$LabScript = Join-Path $RepoRoot 'tests/lab/lab.sh'
$Rid = 'linux-x64'
$PesterVersion = '6.2.0'
$PesterManifest = Join-Path $RepoRoot ".tools/packages/pester/$PesterVersion/tools/Pester.psd1"

# What the module folder holds, by source. Every file must exist; a missing one fails the build.
$ModuleAssemblies = @(
    'Fusis.Commands.dll'
    'Fusis.Core.dll'
    'Fusis.Netlink.dll'
)
# Payload from module/, by path relative to it.
$ModulePayload = @(
    'module/Fusis.Format.ps1xml'
    'module/en-US/Fusis.Commands.dll-Help.xml'
    'module/en-US/about_Fusis.help.txt'
    'LICENSE'
    'dsc/Fusis.Dsc.psm1'
    'dsc/en-US/Fusis.Dsc.strings.psd1'
    'dsc/Fusis.Service.dsc.resource.json'
    'dsc/Fusis.Destination.dsc.resource.json'
)
# Host test suites (xunit.v3 executables); the lab suite runs only inside the VM.
$HostTestProjects = @(
    'Fusis.Netlink.Tests'
    'Fusis.Serf.Tests'
    'Fusis.Core.Tests'
    'Fusis.Commands.Tests'
    'Fusis.Daemon.Tests'
)
$LabTestProject = 'Fusis.Lab.Tests'
# A host suite takes a minute or two; one that runs for ten has a hung test.
$HostSuiteTimeoutSeconds = 600
$LongRunningTestSeconds = 120

function Invoke-Checked {
    # A plain function (not advanced) so native arguments such as '-v' pass through untouched.
    $exe, $rest = $args
    & $exe @rest | Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw "'$exe $($rest -join ' ')' failed with exit code $LASTEXITCODE"
    }
}

function Get-ModuleVersion {
    [xml] $props = Get-Content -Raw -LiteralPath (Join-Path $RepoRoot 'Directory.Build.props')
    $version = $props.Project.PropertyGroup.VersionPrefix | Where-Object { $_ } | Select-Object -First 1
    if (-not $version) { throw 'Directory.Build.props has no VersionPrefix' }
    [string] $version
}

function Get-ModuleManifestPath {
    Join-Path $OutDir "Fusis/$(Get-ModuleVersion)/Fusis.psd1"
}

function Invoke-Build {
    $stopwatch = [Diagnostics.Stopwatch]::StartNew()
    Invoke-Checked dotnet build (Join-Path $RepoRoot 'Fusis.slnx') -c $Configuration -nologo -v q '-clp:NoSummary;ErrorsOnly'

    $version = Get-ModuleVersion
    $moduleDir = Join-Path $OutDir "Fusis/$version"
    if (Test-Path -LiteralPath $moduleDir) { Remove-Item -Recurse -Force -LiteralPath $moduleDir }
    $null = New-Item -ItemType Directory -Force -Path $moduleDir

    $publishDir = Join-Path $OutDir 'publish/Fusis.Commands'
    Invoke-Checked dotnet publish (Join-Path $RepoRoot 'src/Fusis.Commands') --no-build -c $Configuration -nologo -v q -o $publishDir
    foreach ($name in $ModuleAssemblies) {
        $source = Join-Path $publishDir $name
        if (-not (Test-Path -LiteralPath $source)) { throw "module layout: $source is missing" }
        Copy-Item -LiteralPath $source -Destination $moduleDir
    }
    foreach ($relative in $ModulePayload) {
        $source = Join-Path $RepoRoot $relative
        if (-not (Test-Path -LiteralPath $source)) { throw "module layout: $source is missing" }
        $destination = Join-Path $moduleDir ($relative -replace '^(module|dsc)/', '')
        $null = New-Item -ItemType Directory -Force -Path (Split-Path -Parent $destination)
        if ($relative -like '*.dsc.resource.json') {
            # DSC v3 manifests carry the module's version.
            Set-Content -LiteralPath $destination -NoNewline -Value (Get-Content -Raw -LiteralPath $source).Replace('{{ModuleVersion}}', $version)
        }
        else {
            Copy-Item -LiteralPath $source -Destination $destination
        }
    }
    $manifest = (Get-Content -Raw -LiteralPath (Join-Path $RepoRoot 'Fusis.psd1')).Replace('{{ModuleVersion}}', $version)
    Set-Content -LiteralPath (Join-Path $moduleDir 'Fusis.psd1') -Value $manifest -NoNewline
    Write-Host "build: module laid out in $moduleDir ($([int]$stopwatch.Elapsed.TotalSeconds) s)"
}

# Counts from xunit v2 XML results files (the format xunit.v3 executables write with -result-xml), summed.
function Read-XunitCounts([string[]] $paths) {
    $counts = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }
    foreach ($assembly in $paths | ForEach-Object { ([xml] (Get-Content -Raw -LiteralPath $_)).assemblies.assembly }) {
        $counts.Passed += [int] $assembly.passed
        # Errors are failures outside a test (a fixture, a crash), and a test that did not run was not proven:
        # both count as failed.
        $counts.Failed += [int] $assembly.failed + [int] $assembly.errors + [int] $assembly.GetAttribute('not-run')
        $counts.Skipped += [int] $assembly.skipped
    }
    $counts
}

function New-RunnerResult([string] $name, $counts, [int] $exitCode, [string] $problem) {
    [pscustomobject]@{
        Runner   = $name
        Passed   = if ($counts) { $counts.Passed } else { 0 }
        Failed   = if ($counts) { $counts.Failed } else { 0 }
        Skipped  = if ($counts) { $counts.Skipped } else { 0 }
        ExitCode = $exitCode
        Problem  = $problem
    }
}

function Invoke-HostXunit([string] $project) {
    $exe = Join-Path $RepoRoot "tests/$project/bin/$Configuration/net10.0/$Rid/$project"
    $xmlPath = Join-Path $ResultsDir "$project.xml"
    # Bounded: a hung test fails the run within minutes, and -longRunning has named it (the console is inherited).
    $start = [Diagnostics.ProcessStartInfo]::new($exe)
    foreach ($argument in '-noColor', '-noLogo', '-reporter', 'quiet', '-longRunning', "$LongRunningTestSeconds", '-result-xml', $xmlPath) {
        $start.ArgumentList.Add($argument)
    }
    $process = [Diagnostics.Process]::Start($start)
    if (-not $process.WaitForExit([TimeSpan]::FromSeconds($HostSuiteTimeoutSeconds))) {
        $process.Kill($true)
        $process.WaitForExit()
        return New-RunnerResult "xunit $project" $null 124 "it ran longer than $HostSuiteTimeoutSeconds s (the test named '[Long Running Test]' above hung)"
    }
    $exitCode = $process.ExitCode
    if (-not (Test-Path -LiteralPath $xmlPath)) {
        return New-RunnerResult "xunit $project" $null $exitCode 'no results file'
    }
    New-RunnerResult "xunit $project" (Read-XunitCounts $xmlPath) $exitCode $null
}

function Invoke-PesterSuite {
    if (-not (Test-Path -LiteralPath $PesterManifest)) {
        Invoke-Checked dotnet restore (Join-Path $RepoRoot 'tests/pester/PSModules.proj') -v q
    }
    $summaryPath = Join-Path $ResultsDir 'pester.json'
    # A fresh pwsh: a binary module cannot be unloaded, so a rebuilt dll must never meet an old one.
    $env:FUSISTEST_MODULE_MANIFEST = Get-ModuleManifestPath
    & (Join-Path $PSHOME 'pwsh') -NoLogo -NoProfile -NonInteractive -File $PSCommandPath -Task PesterChild | Out-Host
    $exitCode = $LASTEXITCODE
    if (-not (Test-Path -LiteralPath $summaryPath)) {
        return New-RunnerResult 'Pester' $null $exitCode 'no results file'
    }
    New-RunnerResult 'Pester' (Get-Content -Raw -LiteralPath $summaryPath | ConvertFrom-Json -AsHashtable) $exitCode $null
}

function Invoke-PesterChild {
    Import-Module $PesterManifest -ErrorAction Stop
    $config = New-PesterConfiguration
    $config.Run.Path = Join-Path $RepoRoot 'tests/pester'
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Normal'
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputFormat = 'JUnitXml'
    $config.TestResult.OutputPath = Join-Path $ResultsDir 'pester.xml'
    $result = Invoke-Pester -Configuration $config
    # Not run and inconclusive prove nothing: they count as failed.
    $failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount + $result.NotRunCount + $result.InconclusiveCount
    @{ Passed = $result.PassedCount; Failed = $failed; Skipped = $result.SkippedCount } |
        ConvertTo-Json | Set-Content -LiteralPath (Join-Path $ResultsDir 'pester.json')
    exit ([int] ($failed -gt 0))
}

# The Debian package and the PowerShell Gallery package, in out/packages/ (also the local PSResourceGet repository
# the nupkg is published to). The .deb is a self-contained publish (Debian 12 has no .NET runtime package).
function Invoke-Package {
    $stopwatch = [Diagnostics.Stopwatch]::StartNew()
    $version = Get-ModuleVersion
    $packages = Join-Path $OutDir 'packages'
    $work = Join-Path $OutDir 'package'
    $root = Join-Path $work 'root'
    foreach ($dir in $packages, $work) {
        if (Test-Path -LiteralPath $dir) { Remove-Item -Recurse -Force -LiteralPath $dir }
        $null = New-Item -ItemType Directory -Force -Path $dir
    }
    $debian = Join-Path $RepoRoot 'src/Fusis.Daemon/debian'
    $lib = Join-Path $root 'usr/lib/fusis'
    Invoke-Checked dotnet publish (Join-Path $RepoRoot 'src/Fusis.Daemon') -c $Configuration -nologo -v q '-clp:NoSummary;ErrorsOnly' `
        --self-contained '-p:PublishReadyToRun=true' -o $lib
    Get-ChildItem -LiteralPath $lib -File | Where-Object Extension -in '.pdb', '.xml' | Remove-Item
    Copy-Item -Recurse -LiteralPath (Split-Path -Parent (Get-ModuleManifestPath)) -Destination (New-Item -ItemType Directory -Force -Path "$lib/powershell/Fusis")

    $files = [ordered]@{
        'fusis.json'             = 'etc/fusis/fusis.json'
        'default'                = 'etc/default/fusis'
        'fusis-balancer.service' = 'lib/systemd/system/fusis-balancer.service'
        'fusis-agent.service'    = 'lib/systemd/system/fusis-agent.service'
        'modules-load.conf'      = 'usr/lib/modules-load.d/fusis.conf'
        'fusis.example.json'     = 'usr/share/doc/fusis/examples/fusis.json'
        'copyright'              = 'usr/share/doc/fusis/copyright'
        'lintian-overrides'      = 'usr/share/lintian/overrides/fusis'
    }
    foreach ($name in $files.Keys) {
        $destination = Join-Path $root $files[$name]
        $null = New-Item -ItemType Directory -Force -Path (Split-Path -Parent $destination)
        Copy-Item -LiteralPath (Join-Path $debian $name) -Destination $destination
    }
    Copy-Item -LiteralPath (Join-Path $RepoRoot 'README.md') -Destination (Join-Path $root 'usr/share/doc/fusis/README.md')
    # Stamped with the version and compressed as Debian wants them (a native package's changelog.gz, man pages).
    $stamped = @{ 'changelog' = 'usr/share/doc/fusis/changelog'; 'fusis.1' = 'usr/share/man/man1/fusis.1' }
    foreach ($name in $stamped.Keys) {
        $destination = Join-Path $root $stamped[$name]
        $null = New-Item -ItemType Directory -Force -Path (Split-Path -Parent $destination)
        Set-Content -LiteralPath $destination -NoNewline -Value (Get-Content -Raw -LiteralPath (Join-Path $debian $name)).Replace('{{Version}}', $version)
        Invoke-Checked gzip -9n $destination
    }
    $null = New-Item -ItemType Directory -Force -Path (Join-Path $root 'usr/bin'), (Join-Path $root 'usr/share/bash-completion/completions')
    $null = New-Item -ItemType SymbolicLink -Path (Join-Path $root 'usr/bin/fusis') -Target '../lib/fusis/fusis'
    & (Join-Path $lib 'fusis') completion bash | Set-Content -LiteralPath (Join-Path $root 'usr/share/bash-completion/completions/fusis')
    if ($LASTEXITCODE -ne 0) { throw "fusis completion bash failed with exit code $LASTEXITCODE" }

    # Modes as Debian wants them: 0644 files, 0755 directories and programs.
    Invoke-Checked find $root -type d -exec chmod 0755 '{}' +
    Invoke-Checked find $root -type f -exec chmod 0644 '{}' +
    Invoke-Checked chmod 0755 (Join-Path $lib 'fusis') (Join-Path $lib 'createdump')

    $control = Join-Path $root 'DEBIAN'
    $null = New-Item -ItemType Directory -Force -Path $control
    $md5sums = Get-ChildItem -LiteralPath $root -Recurse -File | Where-Object { $_.FullName -notlike "$control/*" -and -not $_.LinkTarget } |
        Sort-Object FullName | ForEach-Object { "$((Get-FileHash -Algorithm MD5 -LiteralPath $_.FullName).Hash.ToLowerInvariant())  $([IO.Path]::GetRelativePath($root, $_.FullName))" }
    Set-Content -LiteralPath (Join-Path $control 'md5sums') -Value $md5sums
    $installedKiB = [long] ((& du -sk --exclude=DEBIAN $root) -split '\s+')[0]
    $fields = (Get-Content -Raw -LiteralPath (Join-Path $debian 'control')).Replace('{{Version}}', $version).Replace('{{InstalledSize}}', "$installedKiB")
    Set-Content -LiteralPath (Join-Path $control 'control') -NoNewline -Value $fields
    foreach ($name in 'conffiles', 'postinst', 'prerm', 'postrm') {
        Copy-Item -LiteralPath (Join-Path $debian $name) -Destination $control
    }
    Invoke-Checked chmod 0644 (Join-Path $control 'control') (Join-Path $control 'conffiles') (Join-Path $control 'md5sums')
    Invoke-Checked chmod 0755 (Join-Path $control 'postinst') (Join-Path $control 'prerm') (Join-Path $control 'postrm')
    $deb = Join-Path $packages "fusis_$($version)_amd64.deb"
    # gzip, not xz: 52 MB instead of 37, but it unpacks in a third of the time (0.55 s against 1.44 s here), which the lab, emulated, multiplies.
    Invoke-Checked dpkg-deb --root-owner-group -Zgzip --build $root $deb

    # The PowerShell Gallery package, published to a local repository (the packages folder) by PSResourceGet in a
    # child pwsh whose HOME is a scratch folder, so the build leaves the user's repositories alone.
    $scratch = New-Item -ItemType Directory -Force -Path (Join-Path $work 'home')
    $publish = "Register-PSResourceRepository -Name FusisBuild -Uri '$packages' -Trusted; " +
        "Publish-PSResource -Path '$(Split-Path -Parent (Get-ModuleManifestPath))' -Repository FusisBuild -ErrorAction Stop"
    # Its working folder too: NuGet, under PSResourceGet, writes a NuGet/NuGet.Config into the current folder.
    $home0 = $env:HOME
    Push-Location -LiteralPath $scratch
    try {
        $env:HOME = $scratch
        & (Join-Path $PSHOME 'pwsh') -NoLogo -NoProfile -NonInteractive -Command $publish | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "Publish-PSResource failed with exit code $LASTEXITCODE" }
    }
    finally {
        $env:HOME = $home0
        Pop-Location
    }
    $nupkg = Join-Path $packages "Fusis.$version.nupkg"
    if (-not (Test-Path -LiteralPath $nupkg)) { throw "package: $nupkg is missing after Publish-PSResource" }
    Write-Host "package: $deb ($([math]::Round((Get-Item $deb).Length / 1MB, 1)) MB) and $nupkg ($([int]$stopwatch.Elapsed.TotalSeconds) s)"
}

# Programs that run inside the lab are published ReadyToRun: JIT under emulation costs seconds per process.
function Publish-ForLab([string] $projectPath, [string] $name) {
    $publishDir = Join-Path $OutDir "lab/$name"
    Invoke-Checked dotnet publish (Join-Path $RepoRoot $projectPath) -c $Configuration -nologo -v q `
        '-clp:NoSummary;ErrorsOnly' '-p:PublishReadyToRun=true' -o $publishDir
    Join-Path $publishDir $name
}

# growth.png beside the growth benchmark's growth.tsv: each operation's time against the table's size, log-log, with
# Debian's gnuplot (installed here when missing: the bench alone needs it).
function Write-GrowthPlot([string] $runDir) {
    $data = Join-Path $runDir 'growth.tsv'
    if (-not (Test-Path -LiteralPath $data)) { Write-Warning "no ${data}: the growth benchmark did not finish"; return }
    if (-not (Get-Command gnuplot -ErrorAction Ignore)) {
        & apt-get install -y -qq gnuplot-nox | Out-Host
        if ($LASTEXITCODE -ne 0) { Write-Warning 'gnuplot-nox could not be installed: no growth.png'; return }
    }
    & gnuplot -e "data='$data'; out='$(Join-Path $runDir 'growth.png')'" (Join-Path $RepoRoot 'tests/bench/growth.gp')
    if ($LASTEXITCODE -eq 0) { Write-Host "growth plot: $(Join-Path $runDir 'growth.png')" }
}

function Initialize-Lab {
    & bash $LabScript setup | Out-Host
    $LASTEXITCODE
}

# The lab suite's executable in the VM, with what it runs beside it (the module, the fusis executable); returns the exit code.
function Invoke-LabTests([string] $runDir, [string[]] $xunitArguments) {
    $exe = Publish-ForLab "tests/$LabTestProject" $LabTestProject
    $env:FUSISTEST_DAEMON = Publish-ForLab 'src/Fusis.Daemon' 'fusis'
    if (Test-Path -LiteralPath $runDir) { Remove-Item -Recurse -Force -LiteralPath $runDir } # the lab wants a fresh one
    $env:FUSISTEST_LAB_RUN_DIR = $runDir
    $env:FUSISTEST_LAB_TIMEOUT = $TimeoutSeconds
    $env:FUSISTEST_MODULE_MANIFEST = Get-ModuleManifestPath # FUSISTEST_* variables reach the guest; its suite hosts the module
    $env:FUSISTEST_PWSH = Join-Path $PSHOME 'pwsh'
    $env:FUSISTEST_PACKAGE = Join-Path $OutDir "packages/fusis_$(Get-ModuleVersion)_amd64.deb"
    try {
        & bash $LabScript run -- sh (Join-Path $RepoRoot 'tests/lab/suite.sh') $exe @xunitArguments | Out-Host
        $LASTEXITCODE
    }
    finally {
        Remove-Item Env:FUSISTEST_LAB_RUN_DIR, Env:FUSISTEST_LAB_TIMEOUT
    }
}

function Invoke-LabSuite([int] $setup) {
    $runDir = Join-Path $ResultsDir 'lab'
    # suite.sh's two test processes: before ip_vs is loaded, then everything else.
    $xmlPaths = @('lab-ipvs-not-loaded.xml', 'lab.xml') | ForEach-Object { Join-Path $runDir $_ }
    if ($setup -ne 0) {
        return New-RunnerResult 'lab' $null $setup "the lab could not be set up (exit code $setup)"
    }
    $exitCode = Invoke-LabTests $runDir @()
    if ($exitCode -in 124, 125) {
        $problem = if ($exitCode -eq 124) { 'the lab timed out' } else { 'the lab VM failed' }
        return New-RunnerResult 'lab' $null $exitCode $problem
    }
    foreach ($xmlPath in $xmlPaths | Where-Object { -not (Test-Path -LiteralPath $_) }) {
        return New-RunnerResult 'lab' $null $exitCode "no results file $(Split-Path -Leaf $xmlPath) from inside the VM"
    }
    New-RunnerResult 'lab' (Read-XunitCounts $xmlPaths) $exitCode $null
}

function Invoke-Test {
    Invoke-Build
    # The packages are under test too: Pester installs the nupkg and checks the .deb, the lab installs the .deb.
    Invoke-Package
    if (Test-Path -LiteralPath $ResultsDir) { Remove-Item -Recurse -Force -LiteralPath $ResultsDir }
    $null = New-Item -ItemType Directory -Force -Path $ResultsDir

    # First, because it installs the Debian packages the host suites use too (serf for the Serf client's
    # integration tests); its failure is reported by the lab runner below.
    $labSetup = Initialize-Lab

    $results = [Collections.Generic.List[object]]::new()
    foreach ($project in $HostTestProjects) {
        $results.Add((Invoke-HostXunit $project))
    }
    $results.Add((Invoke-PesterSuite))
    $results.Add((Invoke-LabSuite $labSetup))

    Write-Host ''
    # A runner that ran nothing proves nothing, whatever the others did.
    foreach ($r in $results | Where-Object { -not $_.Problem -and $_.Passed + $_.Failed -eq 0 }) {
        $r.Problem = 'it ran no test'
    }
    foreach ($r in $results) {
        $note = if ($r.Problem) { " -- FAILED: $($r.Problem)" } elseif ($r.ExitCode -ne 0) { " (exit code $($r.ExitCode))" } else { '' }
        Write-Host ("{0}: {1} passed, {2} failed, {3} skipped{4}" -f $r.Runner, $r.Passed, $r.Failed, $r.Skipped, $note)
    }
    $passed = ($results | Measure-Object Passed -Sum).Sum
    $failed = ($results | Measure-Object Failed -Sum).Sum
    $skipped = ($results | Measure-Object Skipped -Sum).Sum
    # A runner that could not run or exited non-zero without counting a failure still fails the run.
    $broken = @($results | Where-Object { $_.Problem -or ($_.ExitCode -ne 0 -and $_.Failed -eq 0) }).Count
    $failed += $broken
    if ($passed -eq 0) { Write-Host 'no test passed: treating the run as failed' }
    Write-Host "$passed passed, $failed failed, $skipped skipped"
    exit ([int] ($failed -gt 0 -or $passed -eq 0))
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Demo' {
        Invoke-Build
        if ((Initialize-Lab) -ne 0) { exit 125 }
        # The single balancer's scenario, every forwarding method with agents, the cluster's failover under traffic
        # with long transfers kept, active/active over BGP behind a router, and the status page over the real kernel
        # (its screenshot: out/demo/status-page-lab.png).
        exit (Invoke-LabTests (Join-Path $OutDir 'demo') @('-method', 'Fusis.Lab.Tests.ClusterScenarioTests.*', '-method', 'Fusis.Lab.Tests.ForwardingLabTests.*',
                '-method', 'Fusis.Lab.Tests.ClusterFailoverLabTests.Kill_9*', '-method', 'Fusis.Lab.Tests.AnycastLabTests.*', '-method', 'Fusis.Lab.Tests.StatusPageLabTests.*'))
    }
    'LabTests' {
        if (-not $Filter) { throw '-Task LabTests needs -Filter ''<xunit -method pattern>''' }
        Invoke-Build
        if ((Initialize-Lab) -ne 0) { exit 125 }
        exit (Invoke-LabTests (Join-Path $OutDir 'lab-tests') @($Filter -split ',' | ForEach-Object { '-method', $_.Trim() }))
    }
    'Test' { Invoke-Test }
    'Package' {
        Invoke-Build
        Invoke-Package
    }
    'PesterChild' { Invoke-PesterChild }
    'Lab' {
        if (-not $Command) { throw '-Task Lab needs -Command ''<shell command>''' }
        if ((Initialize-Lab) -ne 0) { exit 125 }
        $env:FUSISTEST_LAB_TIMEOUT = $TimeoutSeconds
        & bash $LabScript run -- $Command
        exit $LASTEXITCODE
    }
    'Bench' {
        Invoke-Build
        $bench = Publish-ForLab 'tests/bench/Fusis.Bench' 'Fusis.Bench'
        $env:FUSISTEST_DAEMON = Publish-ForLab 'src/Fusis.Daemon' 'fusis'
        $env:FUSISTEST_MODULE_MANIFEST = Get-ModuleManifestPath
        if ((Initialize-Lab) -ne 0) { exit 125 }
        & $bench serf
        $serf = $LASTEXITCODE
        $env:FUSISTEST_LAB_TIMEOUT = $TimeoutSeconds
        # One boot: the IPVS benchmarks, the health check's detection time, how each operation grows with the table
        # (22 to 220,000 objects) and the crash test; any missing its target fails the run. Their files land in out/bench.
        $runDir = Join-Path $OutDir 'bench'
        if (Test-Path -LiteralPath $runDir) { Remove-Item -Recurse -Force -LiteralPath $runDir }
        $env:FUSISTEST_LAB_RUN_DIR = $runDir
        $env:FUSISTEST_LAB_MEM = '6G' # 220,000 objects: the bench's own copies of the table, the daemon, two kernel tables
        & bash $LabScript run -- sh -c '"$0" ipvs; a=$?; "$0" health; b=$?; "$0" growth; c=$?; "$0" members; d=$?; "$0" crash; exit $(( a | b | c | d | $? ))' $bench
        $lab = $LASTEXITCODE
        Remove-Item Env:FUSISTEST_LAB_RUN_DIR, Env:FUSISTEST_LAB_MEM
        Write-GrowthPlot $runDir
        exit ([int] ($serf -ne 0 -or $lab -ne 0))
    }
    'Clean' {
        foreach ($dir in @($OutDir) + @(Get-ChildItem -Path (Join-Path $RepoRoot 'src'), (Join-Path $RepoRoot 'tests') -Directory -Recurse -Include bin, obj)) {
            if (Test-Path -LiteralPath $dir) { Remove-Item -Recurse -Force -LiteralPath $dir }
        }
    }
}
