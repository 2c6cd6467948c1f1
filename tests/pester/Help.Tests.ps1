# Every exported cmdlet has complete help: synopsis, description, every parameter, at least two examples.
BeforeDiscovery {
    $module = Import-Module $env:FUSISTEST_MODULE_MANIFEST -PassThru -Force -ErrorAction Stop
    $commands = @($module.ExportedCmdlets.Values | ForEach-Object { @{ Name = $_.Name; Command = $_ } })
}

Describe 'Help of <Name>' -ForEach $commands {
    BeforeAll {
        Import-Module $env:FUSISTEST_MODULE_MANIFEST -Force -ErrorAction Stop
        $help = Get-Help $Name -Full
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
    }

    It 'has a synopsis and a description' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '^\s*Get-\w+\s*$' # not the bare syntax PowerShell makes up without help
        ($help.Description.Text -join '') | Should -Not -BeNullOrEmpty
    }

    It 'documents every parameter' {
        # A cmdlet without parameters has help without a Parameter node (and build.ps1 runs Pester in strict mode).
        $documented = @($help.Parameters | Select-Object -ExpandProperty Parameter -ErrorAction Ignore | ForEach-Object Name)
        foreach ($parameter in $Command.Parameters.Keys | Where-Object { $_ -notin $common }) {
            $documented | Should -Contain $parameter
        }
    }

    It 'links to about_Fusis and its related cmdlets' {
        $links = @($help.relatedLinks.navigationLink.linkText)
        $links | Should -Contain 'about_Fusis'
        $links.Count | Should -BeGreaterOrEqual 2
    }

    It 'has at least two examples' {
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
    }
}
