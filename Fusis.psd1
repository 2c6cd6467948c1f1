# Source manifest: build.ps1 stamps ModuleVersion from Directory.Build.props and lays it out in out/Fusis/<version>/.
@{
    # The root module holds the class-based DSC resources, so `using module Fusis` exposes [FusisService] and
    # [FusisDestination]; the cmdlets come from the binary module nested in it, exported by name below.
    RootModule           = 'Fusis.Dsc.psm1'
    ModuleVersion        = '{{ModuleVersion}}'
    CompatiblePSEditions = @('Core')
    GUID                 = '5d0f8f8e-5b0c-4f3e-9a55-3f1f2a3c9b71'
    Author               = 'Fusis contributors'
    CompanyName          = 'Fusis contributors'
    Copyright            = '(c) Fusis contributors. MIT licence.'
    Description          = 'Fusis: a dynamic Layer-4 load balancer for Linux on IPVS and Serf.'
    PowerShellVersion    = '7.6'
    CmdletsToExport      = @(
        'Clear-FusisStatistics', 'Export-FusisConfiguration', 'Get-FusisCluster', 'Get-FusisDestination', 'Get-FusisEvent', 'Get-FusisInfo', 'Get-FusisService',
        'Get-FusisTimeout', 'Import-FusisConfiguration', 'New-FusisDestination', 'New-FusisService', 'Remove-FusisDestination',
        'Remove-FusisService', 'Repair-FusisSnat', 'Resume-FusisBalancer', 'Set-FusisDestination', 'Set-FusisService', 'Set-FusisTimeout',
        'Suspend-FusisBalancer'
    )
    NestedModules        = @('Fusis.Commands.dll')
    # Loaded before the root module is parsed: its classes name Core's types (its rules and words).
    RequiredAssemblies   = @('Fusis.Netlink.dll', 'Fusis.Core.dll')
    DscResourcesToExport = @('FusisService', 'FusisDestination')
    FormatsToProcess     = @('Fusis.Format.ps1xml')
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Linux', 'PSEdition_Core', 'IPVS', 'LoadBalancer', 'Serf', 'DSC')
            ProjectUri   = 'https://github.com/fusis/fusis'
            LicenseUri   = 'https://github.com/fusis/fusis/blob/main/LICENSE'
            ReleaseNotes = 'Cmdlets and DSC resources for IPVS services and destinations on this host (local mode, through its balancer daemon when one runs) or through a balancer''s API (-Balancer); Get-FusisCluster for a cluster of balancers; about_Fusis for the whole picture.'
        }
    }
}
