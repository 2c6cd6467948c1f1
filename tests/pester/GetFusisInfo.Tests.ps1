# Get-FusisInfo on this host. Its kernel has no IPVS, which is exactly the case whose error must be usable;
# the lab suite proves the cmdlet against a kernel that has it.
BeforeAll {
    Import-Module $env:FUSISTEST_MODULE_MANIFEST -Force -ErrorAction Stop
}

Describe 'Get-FusisInfo' {
    It 'declares its output type' {
        (Get-Command Get-FusisInfo).OutputType.Name | Should -Be 'Fusis.Core.Model.FusisInfo'
    }

    It 'fails with IpvsUnavailable and says how to load the module on a kernel without IPVS' -Skip:(Test-Path /proc/net/ip_vs) {
        $failure = $null
        try { Get-FusisInfo -ErrorAction Stop } catch { $failure = $_ }

        $failure | Should -Not -BeNullOrEmpty
        $failure.FullyQualifiedErrorId | Should -Be 'IpvsUnavailable,Fusis.Commands.Commands.GetFusisInfoCommand'
        $failure.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $failure.Exception.Message | Should -Match 'modprobe ip_vs'
    }
}
