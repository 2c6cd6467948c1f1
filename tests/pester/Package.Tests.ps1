# The packages `build.ps1 -Task Package` makes (the Test task makes them before Pester runs): the nupkg installs from
# its local repository and imports by name, the units pass systemd-analyze verify, lintian finds no error in the .deb.
BeforeAll {
    $repoRoot = (Resolve-Path "$PSScriptRoot/../..").Path
    $version = (Import-PowerShellDataFile $env:FUSISTEST_MODULE_MANIFEST).ModuleVersion
    $packages = Join-Path $repoRoot 'out/packages'
    $deb = Join-Path $packages "fusis_$($version)_amd64.deb"
    $nupkg = Join-Path $packages "Fusis.$version.nupkg"
    foreach ($file in $deb, $nupkg) {
        if (-not (Test-Path -LiteralPath $file)) { throw "$file is missing: build.ps1 -Task Package makes it (-Task Test does first)" }
    }
    $scratch = Join-Path ([IO.Path]::GetTempPath()) "fusis-package-$([guid]::NewGuid().ToString('n'))"
    $null = New-Item -ItemType Directory -Path $scratch
}

AfterAll {
    Remove-Item -Recurse -Force -LiteralPath $scratch -ErrorAction Ignore
}

Describe 'The PowerShell Gallery package' {
    It 'installs by name from a local PSResourceGet repository, imports by name and has about_Fusis' {
        # A pwsh whose HOME is a scratch folder: the repository and the CurrentUser install stay out of the real one.
        $userHome = Join-Path $scratch 'home'
        $null = New-Item -ItemType Directory -Path $userHome
        $script = "Register-PSResourceRepository -Name FusisLocal -Uri '$packages' -Trusted; " +
            'Install-PSResource Fusis -Repository FusisLocal -ErrorAction Stop; ' +
            'Import-Module Fusis -ErrorAction Stop; (Get-Module Fusis).ModuleBase; ' +
            '(Get-Command -Module Fusis).Count; Get-Help about_Fusis | Out-String -Width 200'
        $output = & env "HOME=$userHome" (Join-Path $PSHOME 'pwsh') -NoLogo -NoProfile -NonInteractive -Command $script 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $text = $output -join "`n"
        $text | Should -Match ([regex]::Escape("$userHome/.local/share/powershell/Modules/Fusis/$version"))
        $text | Should -Match 'SHORT DESCRIPTION'
        $text | Should -Match 'LOCAL AND REMOTE MODE'
    }

    It 'carries the licence and the fields the Gallery shows' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($nupkg)
        try {
            $entry = $zip.Entries | Where-Object Name -EQ 'Fusis.nuspec'
            $reader = [IO.StreamReader]::new($entry.Open())
            [xml] $nuspec = $reader.ReadToEnd()
            $reader.Dispose()
            $zip.Entries.FullName | Should -Contain 'LICENSE'
            $zip.Entries.FullName | Should -Contain 'en-US/about_Fusis.help.txt'
        }
        finally {
            $zip.Dispose()
        }
        $metadata = $nuspec.package.metadata
        $metadata.version | Should -Be $version
        $metadata.projectUrl | Should -Not -BeNullOrEmpty
        $metadata.licenseUrl | Should -Not -BeNullOrEmpty
        $metadata.releaseNotes | Should -Not -BeNullOrEmpty
        $metadata.owners | Should -Be 'Fusis contributors'
    }
}

Describe 'The Debian package' {
    BeforeAll {
        $root = Join-Path $scratch 'root'
        & dpkg-deb -x $deb $root
        if ($LASTEXITCODE -ne 0) { throw "dpkg-deb -x $deb failed" }
    }

    It 'holds the executable, the units, the conffiles, the module, the modules-load file and the completion' {
        foreach ($path in 'usr/lib/fusis/fusis', 'lib/systemd/system/fusis-balancer.service', 'lib/systemd/system/fusis-agent.service',
            'etc/fusis/fusis.json', 'etc/default/fusis', 'usr/lib/modules-load.d/fusis.conf', 'usr/share/doc/fusis/copyright',
            'usr/share/doc/fusis/examples/fusis.json', 'usr/share/bash-completion/completions/fusis', "usr/lib/fusis/powershell/Fusis/$version/Fusis.psd1") {
            Join-Path $root $path | Should -Exist
        }
        (Get-Item (Join-Path $root 'usr/bin/fusis')).LinkTarget | Should -Be '../lib/fusis/fusis'
        & dpkg-deb -f $deb Version | Should -Be $version
        (& dpkg-deb -I $deb conffiles) | Should -Be @('/etc/fusis/fusis.json', '/etc/default/fusis')
        Get-Content (Join-Path $root 'usr/lib/modules-load.d/fusis.conf') | Should -Contain 'ip_vs'
    }

    It 'runs self-contained: its fusis prints the version without a .NET runtime on the path' {
        $output = & env -i 'PATH=/usr/sbin:/usr/bin:/sbin:/bin' DOTNET_ROOT=/nonexistent (Join-Path $root 'usr/lib/fusis/fusis') --version
        $LASTEXITCODE | Should -Be 0
        $output | Should -Be $version
    }

    It 'has units that systemd-analyze verify accepts, each with its sandboxing' {
        # A root made of the package, the host's targets and modprobe: verify checks what the units name exists.
        $units = Join-Path $root 'lib/systemd/system'
        Copy-Item -Path '/lib/systemd/system/*.target' -Destination $units
        $null = New-Item -ItemType Directory -Force -Path (Join-Path $root 'sbin')
        Copy-Item -LiteralPath (Get-Item '/sbin/modprobe').ResolvedTarget -Destination (Join-Path $root 'sbin/modprobe')
        foreach ($unit in 'fusis-balancer.service', 'fusis-agent.service') {
            $output = & systemd-analyze verify "--root=$root" (Join-Path $units $unit) 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
            $output | Should -BeNullOrEmpty -Because 'a warning is a unit systemd reads otherwise than written'
            $security = & systemd-analyze security --offline=true "--root=$root" (Join-Path $units $unit) 2>&1
            $exposure = ($security | Select-String 'Overall exposure level for \S+: ([0-9.]+)').Matches.Groups[1].Value
            Write-Host "  systemd-analyze security $($unit): $exposure"
            [double] $exposure | Should -BeLessOrEqual 3.5
        }
    }

    It 'loads modules with full privileges: modprobe needs CAP_SYS_MODULE, which the balancer''s bounding set leaves out' {
        $unit = Get-Content (Join-Path $root 'lib/systemd/system/fusis-balancer.service')
        $unit | Should -Contain 'ExecStartPre=+/sbin/modprobe ip_vs'
        ($unit | Where-Object { $_ -like 'CapabilityBoundingSet=*' }) | Should -Not -Match 'CAP_SYS_MODULE'
    }

    It 'has no lintian error' {
        $output = & lintian --tag-display-limit 0 $deb 2>&1
        Write-Host ($output | ForEach-Object { "  lintian: $_" } | Out-String).TrimEnd()
        @($output | Where-Object { $_ -match '^E: ' }) | Should -BeNullOrEmpty
    }
}
