# The laid-out module (build.ps1 -Task Build), imported in the child pwsh that build.ps1 starts for Pester.
BeforeAll {
    $manifestPath = $env:FUSISTEST_MODULE_MANIFEST
    if (-not $manifestPath -or -not (Test-Path -LiteralPath $manifestPath)) {
        throw "FUSISTEST_MODULE_MANIFEST must name the laid-out Fusis.psd1 (run through build.ps1 -Task Test)."
    }
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    [xml]$props = Get-Content -Raw (Join-Path $repoRoot 'Directory.Build.props')
    $expectedVersion = [version]$props.Project.PropertyGroup.VersionPrefix
}

Describe 'The laid-out Fusis module' {
    It 'has a valid manifest stamped with the product version' {
        $manifest = Test-ModuleManifest -Path $manifestPath -ErrorAction Stop
        $manifest.Version | Should -Be $expectedVersion
        $manifest.Name | Should -Be 'Fusis'
    }

    It 'lives in a folder named after its version' {
        Split-Path -Leaf (Split-Path -Parent $manifestPath) | Should -Be $expectedVersion.ToString()
    }

    It 'imports, loading its assemblies from the module folder' {
        $module = Import-Module $manifestPath -PassThru -Force -ErrorAction Stop
        try {
            $module.Version | Should -Be $expectedVersion
            $moduleFolder = Split-Path -Parent $manifestPath
            $loaded = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -like 'Fusis.*' }
            $loaded.GetName().Name | Should -Contain 'Fusis.Commands'
            foreach ($assembly in $loaded) {
                Split-Path -Parent $assembly.Location | Should -Be $moduleFolder
            }
        }
        finally {
            Remove-Module Fusis -Force -ErrorAction SilentlyContinue
        }
    }

    It 'exports exactly what the manifest lists' {
        $module = Import-Module $manifestPath -PassThru -Force -ErrorAction Stop
        try {
            $manifestData = Import-PowerShellDataFile -LiteralPath $manifestPath
            @($module.ExportedCmdlets.Keys | Sort-Object) | Should -Be @($manifestData.CmdletsToExport | Sort-Object)
        }
        finally {
            Remove-Module Fusis -Force -ErrorAction SilentlyContinue
        }
    }
}
