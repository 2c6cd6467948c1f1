# The class-based DSC resources in the laid-out module, on this host (no IPVS: what they do before touching the
# kernel). xunit (DscResourceTests) checks Reasons over an in-memory kernel; the lab checks them against the real one.
BeforeAll {
    $module = Import-Module $env:FUSISTEST_MODULE_MANIFEST -Force -PassThru -ErrorAction Stop
    $strings = Import-PowerShellDataFile -LiteralPath (Join-Path (Split-Path -Parent $env:FUSISTEST_MODULE_MANIFEST) 'en-US/Fusis.Dsc.strings.psd1')
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
        @{ Property = 'port'; Script = '$r.Address = "198.18.0.1"; $r.Port = 0'; Message = 'a port is 1 to 65535' }
        @{ Property = 'scheduler'; Script = '$r.Address = "198.18.0.1"; $r.Port = 80; $r.Scheduler = "x y"'; Message = "scheduler name 'x y' is not valid" }
        @{ Property = 'snat'; Script = '$r.Address = "198.18.0.1"; $r.Port = 80; $r.Snat = "fd00::1"'; Message = "SNAT address fd00::1 is not of the service's address family" }
    ) {
        foreach ($call in 'Test', 'Set') {
            $failure = $null
            try { & $module ([scriptblock]::Create("`$r = [FusisService]::new(); `$r.Name = 'web'; $Script; `$r.$call()")) } catch { $failure = $_ }
            $failure.Exception.Message | Should -Match $Message
        }
    }

    It 'gives its classes to a script that says using module' {
        $script = Join-Path ([System.IO.Path]::GetTempPath()) "fusis-using-$PID.ps1"
        Set-Content -LiteralPath $script -Value @"
using module $env:FUSISTEST_MODULE_MANIFEST
[FusisService]::new().GetType().Name
[FusisDestination]::new().GetType().Name
(Get-Command New-FusisService).Source
"@
        try { $output = & (Join-Path $PSHOME 'pwsh') -NoLogo -NoProfile -NonInteractive -File $script }
        finally { Remove-Item -LiteralPath $script }
        $output | Should -Be @('FusisService', 'FusisDestination', 'Fusis')
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

Describe 'DSC v3 command resource manifests' {
    BeforeDiscovery {
        $manifests = Get-ChildItem (Join-Path $PSScriptRoot '../../dsc') -Filter '*.dsc.resource.json' | ForEach-Object { @{ Path = $_.FullName; Name = $_.Name } }
    }

    It '<Name> names its type, every operation through fusis dsc, exit codes and a closed schema' -ForEach $manifests {
        $manifest = Get-Content -Raw $Path | ConvertFrom-Json -AsHashtable
        $manifest.type | Should -Match '^Fusis/(Service|Destination)$'
        foreach ($operation in 'get', 'set', 'test', 'export', 'delete') {
            $manifest[$operation].executable | Should -Be 'fusis'
            $manifest[$operation].args[0..1] | Should -Be @('dsc', $operation)
        }
        $manifest.exitCodes.Keys | Sort-Object | Should -Be @('0', '1', '2', '3')
        $manifest.schema.embedded.additionalProperties | Should -BeFalse
        $manifest.schema.embedded.properties.Keys | Should -Contain '_exist'
    }

    It 'the service schema accepts <Json> = <Valid>' -ForEach @(
        @{ Json = '{"name":"web","address":"198.18.0.1","port":80,"scheduler":"rr"}'; Valid = $true }
        @{ Json = '{"name":"web","protocol":"fwm","firewallMark":7,"_exist":false}'; Valid = $true }
        @{ Json = '{"name":"web","color":"red"}'; Valid = $false }
        @{ Json = '{"name":"web","port":70000}'; Valid = $false }
        @{ Json = '{"address":"198.18.0.1"}'; Valid = $false }
        @{ Json = '{"name":"bad name!"}'; Valid = $false }
    ) {
        $schema = (Get-Content -Raw (Join-Path $PSScriptRoot '../../dsc/Fusis.Service.dsc.resource.json') | ConvertFrom-Json).schema.embedded | ConvertTo-Json -Depth 10
        Test-Json -Json $Json -Schema $schema -ErrorAction SilentlyContinue | Should -Be $Valid
    }

    It 'the destination schema accepts <Json> = <Valid>' -ForEach @(
        @{ Json = '{"serviceName":"web","address":"198.18.1.1","port":8080,"weight":0,"forwardingMethod":"route"}'; Valid = $true }
        @{ Json = '{"serviceName":"web","address":"198.18.1.1"}'; Valid = $false }
        @{ Json = '{"serviceName":"web","address":"198.18.1.1","port":8080,"forwardingMethod":"masquerade"}'; Valid = $false }
        @{ Json = '{"serviceName":"web","address":"198.18.1.1","port":8080,"weight":-1}'; Valid = $false }
    ) {
        $schema = (Get-Content -Raw (Join-Path $PSScriptRoot '../../dsc/Fusis.Destination.dsc.resource.json') | ConvertFrom-Json).schema.embedded | ConvertTo-Json -Depth 10
        Test-Json -Json $Json -Schema $schema -ErrorAction SilentlyContinue | Should -Be $Valid
    }

    It 'the laid-out manifests carry the module version and Core''s words' {
        $words = [Fusis.Core.Vocabulary.Words]
        $expected = @{
            'Fusis.Service.dsc.resource.json' = @{ protocol = @($words::Protocols.Words) + $words::FirewallMarkProtocol }
            'Fusis.Destination.dsc.resource.json' = @{
                forwardingMethod = $words::ChosenForwardingMethods; tunnelType = $words::TunnelTypes.Words; tunnelChecksum = $words::TunnelChecksums.Words
            }
        }
        foreach ($name in $expected.Keys) {
            $manifest = Get-Content -Raw (Join-Path $module.ModuleBase $name) | ConvertFrom-Json
            $manifest.version | Should -Be $module.Version.ToString()
            foreach ($property in $expected[$name].Keys) {
                @($manifest.schema.embedded.properties.$property.enum) | Should -Be @($expected[$name][$property])
            }
        }

        $flags = (Get-Content -Raw (Join-Path $module.ModuleBase 'Fusis.Service.dsc.resource.json') | ConvertFrom-Json).schema.embedded.properties.schedulerFlags.items.enum
        @($flags) | Should -Be @($words::SchedulerFlags.Words)
    }
}
