# Export-/Import-FusisConfiguration and Set-FusisTimeout on this host: what they do before any kernel access
# (the desired state, validation, completion). The lab proves them against the real kernel.
BeforeAll {
    Import-Module $env:FUSISTEST_MODULE_MANIFEST -Force -ErrorAction Stop
    $previousState = $env:FUSIS_STATE_PATH
    $env:FUSIS_STATE_PATH = Join-Path $TestDrive 'state.json'
    @'
{
  "kind": "fusis-desired-state",
  "version": 1,
  "services": [
    {
      "name": "web",
      "protocol": "tcp",
      "address": "198.18.0.1",
      "port": 80,
      "scheduler": "wrr",
      "destinations": [
        { "address": "198.18.1.1", "port": 8080, "weight": 3, "forwardingMethod": "nat" }
      ]
    }
  ]
}
'@ | Set-Content -LiteralPath $env:FUSIS_STATE_PATH
}

AfterAll {
    $env:FUSIS_STATE_PATH = $previousState
}

Describe 'Export-FusisConfiguration' {
    It 'writes the owned services as ipvsadm rules' {
        Export-FusisConfiguration -Format Ipvsadm | Should -Be (
            "-A -t 198.18.0.1:80 -s wrr`n-a -t 198.18.0.1:80 -r 198.18.1.1:8080 -m -w 3`n")
    }

    It 'writes a document that names its kind and version' {
        $path = Join-Path $TestDrive 'export.json'
        Export-FusisConfiguration $path
        $document = Get-Content -Raw $path | ConvertFrom-Json
        $document.kind | Should -Be 'fusis-desired-state'
        $document.services.name | Should -Be 'web'
        $document.PSObject.Properties.Name | Should -Contain 'version'
    }

    It 'completes the formats' {
        $completions = TabExpansion2 -inputScript 'Export-FusisConfiguration -Format ' -cursorColumn 34
        $completions.CompletionMatches.CompletionText | Sort-Object | Should -Be @('Ipvsadm', 'Json')
    }
}

Describe 'Import-FusisConfiguration' {
    It 'refuses a configuration it cannot read with ConfigurationInvalid before touching the kernel' {
        $before = Get-Content -Raw $env:FUSIS_STATE_PATH, "$env:FUSIS_STATE_PATH.journal" -ErrorAction Ignore
        $failure = $null
        try { '-A -t 198.18.0.1:80 -s rr -x 5' | Import-FusisConfiguration -Format Ipvsadm -ErrorAction Stop } catch { $failure = $_ }

        $failure.FullyQualifiedErrorId | Should -Be 'ConfigurationInvalid,Fusis.Commands.Commands.ImportFusisConfigurationCommand'
        $failure.CategoryInfo.Category | Should -Be 'InvalidData'
        $failure.Exception.Message | Should -Match 'line 1'
        Get-Content -Raw $env:FUSIS_STATE_PATH, "$env:FUSIS_STATE_PATH.journal" -ErrorAction Ignore | Should -Be $before
    }

    It 'binds piped lines and a path to different parameter sets' {
        $command = Get-Command Import-FusisConfiguration
        $command.ParameterSets.Name | Should -Be @('ByPath', 'ByText')
        $command.Parameters['InputObject'].Attributes.Where({ $_ -is [Parameter] }).ValueFromPipeline | Should -BeTrue
    }
}

Describe 'Set-FusisTimeout' {
    It 'takes a number as seconds' {
        $failure = $null
        try { Set-FusisTimeout -Tcp 0.5 -ErrorAction Stop } catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -Be 'InvalidArgument,Fusis.Commands.Commands.SetFusisTimeoutCommand'
        $failure.Exception.Message | Should -Match 'not 00:00:00.5000000'
    }
}
