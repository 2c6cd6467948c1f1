# The class-based DSC resources in the laid-out module, on this host (no IPVS: what they do before touching the
# kernel). xunit (DscResourceTests) checks Reasons over an in-memory kernel; the lab checks them against the real one.
BeforeAll {
    $module = Import-Module $env:FUSIS_MODULE_MANIFEST -Force -PassThru -ErrorAction Stop
    $strings = Import-PowerShellDataFile -LiteralPath (Join-Path (Split-Path -Parent $env:FUSIS_MODULE_MANIFEST) 'en-US/Fusis.Dsc.strings.psd1')
}

Describe 'Fusis DSC resources' {
    It 'exports FusisService and FusisDestination' {
        @($module.ExportedDscResources | Sort-Object) | Should -Be @('FusisDestination', 'FusisService')
    }

    It 'has a localized string for every message the resources use' {
        $used = [regex]::Matches((Get-Content -Raw (Join-Path $module.ModuleBase 'Fusis.Dsc.psm1')), 'Strings\.(\w+)') | ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique
        foreach ($key in $used) { $strings.Keys | Should -Contain $key }
    }

    It 'refuses an invalid <Property> in Test and Set before reading the kernel' -ForEach @(
        @{ Property = 'address'; Script = '$r.Address = "198.18.0.300"; $r.Port = 80'; Message = 'is not an IPv4 or IPv6 address' }
        @{ Property = 'port'; Script = '$r.Address = "198.18.0.1"; $r.Port = 0'; Message = 'outside 1-65535' }
        @{ Property = 'scheduler'; Script = '$r.Address = "198.18.0.1"; $r.Port = 80; $r.Scheduler = "x y"'; Message = 'not a scheduler name' }
    ) {
        foreach ($call in 'Test', 'Set') {
            $failure = $null
            try { & $module ([scriptblock]::Create("`$r = [FusisService]::new(); `$r.Name = 'web'; $Script; `$r.$call()")) } catch { $failure = $_ }
            $failure.Exception.Message | Should -Match $Message
        }
    }

    It 'gives each resource a Reasons property that DSC cannot set' {
        & $module {
            $property = [FusisService].GetProperty('Reasons')
            $attribute = $property.GetCustomAttributes([System.Management.Automation.DscPropertyAttribute], $false)[0]
            $attribute.NotConfigurable | Should -BeTrue
            [FusisReason].GetProperties().Name | Should -Be @('Code', 'Phrase')
        }
    }
}
