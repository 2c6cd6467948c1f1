# The module's root: class-based DSC resources for Fusis (so `using module Fusis` exposes them), thin adapters over
# the cmdlets of the binary module nested in it (local mode: through this host's balancer daemon when one runs, else
# this host's engine). Get reports the actual state and, in Reasons, every property that drifted; Test never writes;
# Set changes only what drifted, so a second Set writes nothing. Properties are checked by Core's rules (the ones the
# API, the cmdlets and `fusis dsc` use) and compared in Core's words, so invalid ones fail Test and Set before any change.

$script:Strings = try {
    Import-LocalizedData -FileName 'Fusis.Dsc.strings.psd1' -BaseDirectory $PSScriptRoot -ErrorAction Stop
}
catch {
    # A host in globalization-invariant mode has no UI culture to look up: use the English strings.
    Import-PowerShellDataFile -LiteralPath (Join-Path $PSScriptRoot 'en-US/Fusis.Dsc.strings.psd1')
}

enum Ensure {
    Absent
    Present
}

# One drifted property: Code is stable ("FusisService:FusisService:Scheduler"), Phrase is localized.
class FusisReason {
    [DscProperty()]
    [string] $Code

    [DscProperty()]
    [string] $Phrase
}

function New-FusisReason([string] $resource, [string] $property, [string] $phrase) {
    $reason = [FusisReason]::new()
    $reason.Code = "${resource}:${resource}:$property"
    $reason.Phrase = $phrase
    $reason
}

# Arrays compare as sorted, comma-joined text; everything else as text.
function Format-FusisValue($value) {
    if ($value -is [array]) { return (@($value | Sort-Object) -join ',') }
    return [string] $value
}

# A reason for each of the properties whose desired value differs from the actual one.
function Get-FusisDrift([string] $resource, $desired, $actual, [string[]] $properties) {
    foreach ($property in $properties) {
        if ((Format-FusisValue $desired.$property) -ne (Format-FusisValue $actual.$property)) {
            New-FusisReason $resource $property ($script:Strings.PropertyDrift -f $property, $desired.$property, $actual.$property)
        }
    }
}

# A value in Core's canonical word for its kind (an alias such as 'Masquerade' names 'nat'); unknown words stay as
# given (Core's rules refuse them).
function ConvertTo-FusisWord([string] $kind, $value) {
    if ([string]::IsNullOrEmpty($value)) { return $value }
    return [Fusis.Core.Vocabulary.Words]::$kind.Canonical([string] $value)
}

# Runs one of Core's rules; a refusal is thrown as Core's own exception (id, fields and message intact).
function Assert-FusisRule([scriptblock] $rule) {
    try { $null = & $rule }
    catch [System.Management.Automation.MethodInvocationException] { throw $_.Exception.InnerException }
}

[DscResource()]
class FusisService {
    [DscProperty(Key)]
    [string] $Name

    # tcp, udp or sctp.
    [DscProperty()]
    [string] $Protocol = 'tcp'

    [DscProperty()]
    [string] $Address

    [DscProperty()]
    [int] $Port

    [DscProperty()]
    [uint32] $FirewallMark

    [DscProperty()]
    [string] $Scheduler = 'wlc'

    # Seconds of persistence; 0: none.
    [DscProperty()]
    [uint32] $PersistenceTimeout

    [DscProperty()]
    [bool] $OnePacket

    # Persistence granularity: an IPv4 mask or an IPv6 prefix length; empty: not managed.
    [DscProperty()]
    [string] $Netmask

    # fallback, port, flag-3; null: not managed, empty: none.
    [DscProperty()]
    [string[]] $SchedulerFlag

    # off, masquerade or an address of the balancer; empty: not managed (the balancer's default for a new service).
    [DscProperty()]
    [string] $Snat

    [DscProperty()]
    [Ensure] $Ensure = [Ensure]::Present

    [DscProperty(NotConfigurable)]
    [FusisReason[]] $Reasons

    [FusisService] Get() {
        $this.AssertValid()
        $actual = Get-FusisService -Name $this.Name -ErrorAction SilentlyContinue | Select-Object -First 1
        $state = [FusisService]::new()
        $state.Name = $this.Name
        $drift = [System.Collections.Generic.List[FusisReason]]::new()
        if ($null -eq $actual) {
            $state.Ensure = [Ensure]::Absent
            if ($this.Ensure -eq [Ensure]::Present) {
                $drift.Add((New-FusisReason 'FusisService' 'Ensure' ($script:Strings.ServiceAbsent -f $this.Name)))
            }
        }
        else {
            $state.Ensure = [Ensure]::Present
            $state.Protocol = if ($actual.FirewallMark -gt 0) { $this.Protocol } else { $actual.Protocol }
            $state.Address = $actual.Address
            $state.Port = $actual.Port
            $state.FirewallMark = $actual.FirewallMark
            $state.Scheduler = $actual.Scheduler
            $state.PersistenceTimeout = if ($actual.Persistent) { $actual.PersistenceTimeout } else { 0 }
            $state.OnePacket = $actual.OnePacket
            $state.Netmask = $actual.Netmask
            $state.SchedulerFlag = @($actual.SchedulerFlags | Sort-Object)
            $state.Snat = $actual.Snat
            if ($this.Ensure -eq [Ensure]::Absent) {
                $drift.Add((New-FusisReason 'FusisService' 'Ensure' ($script:Strings.ServicePresent -f $this.Name)))
            }
            else {
                foreach ($reason in Get-FusisDrift 'FusisService' $this.InWords() $state $this.Compared()) { $drift.Add($reason) }
            }
        }

        $state.Reasons = $drift.ToArray()
        return $state
    }

    [bool] Test() {
        return $this.Get().Reasons.Count -eq 0
    }

    [void] Set() {
        $current = $this.Get()
        if ($current.Reasons.Count -eq 0) {
            return
        }

        if ($this.Ensure -eq [Ensure]::Absent) {
            Remove-FusisService -Name $this.Name -Confirm:$false -ErrorAction Stop
            return
        }

        $drifted = @($current.Reasons | ForEach-Object { $_.Code.Split(':')[-1] })
        # The address, port, protocol and mark are a service's identity: a different one is another service.
        $identity = @($drifted | Where-Object { $_ -in 'Protocol', 'Address', 'Port', 'FirewallMark' })
        if ($current.Ensure -eq [Ensure]::Present -and $identity.Count -gt 0) {
            Remove-FusisService -Name $this.Name -Confirm:$false -ErrorAction Stop
            $current.Ensure = [Ensure]::Absent
        }

        if ($current.Ensure -eq [Ensure]::Absent) {
            $parameters = @{ Name = $this.Name; Scheduler = $this.Scheduler; PersistenceTimeout = $this.PersistenceTimeout; OnePacket = $this.OnePacket }
            if ($this.Netmask) { $parameters.Netmask = $this.Netmask }
            if ($null -ne $this.SchedulerFlag) { $parameters.SchedulerFlag = $this.SchedulerFlag }
            if ($this.Snat) { $parameters.Snat = $this.Snat }
            if ($this.FirewallMark -gt 0) { $parameters.FirewallMark = $this.FirewallMark }
            else { $parameters += @{ Protocol = $this.Protocol; Address = $this.Address; Port = $this.Port } }
            New-FusisService @parameters -ErrorAction Stop
            return
        }

        $changes = @{}
        foreach ($property in $drifted) { $changes[$property] = $this.$property }
        if ($changes.ContainsKey('SchedulerFlag') -and $this.SchedulerFlag.Count -eq 0) { $changes.SchedulerFlag = [string[]] @() }
        Set-FusisService -Name $this.Name @changes -ErrorAction Stop
    }

    hidden [string[]] Compared() {
        $properties = @('Scheduler', 'PersistenceTimeout', 'OnePacket')
        if ($this.Netmask) { $properties += 'Netmask' }
        if ($null -ne $this.SchedulerFlag) { $properties += 'SchedulerFlag' }
        if ($this.Snat) { $properties += 'Snat' }
        if ($this.FirewallMark -gt 0) { return $properties + 'FirewallMark' }
        return $properties + @('Protocol', 'Address', 'Port')
    }

    # This resource with its words in Core's spelling, to compare with the actual state.
    hidden [FusisService] InWords() {
        $copy = [FusisService]::new()
        foreach ($property in $this.Compared()) { $copy.$property = $this.$property }
        $copy.Protocol = ConvertTo-FusisWord 'Protocols' $this.Protocol
        if ($null -ne $this.SchedulerFlag) { $copy.SchedulerFlag = @($this.SchedulerFlag | ForEach-Object { ConvertTo-FusisWord 'SchedulerFlags' $_ }) }
        if ($this.Snat) { $copy.Snat = [Fusis.Core.State.SnatSetting]::Canonical($this.Snat) }
        return $copy
    }

    # Every invalid property fails Get, Test and Set before anything is read or written: Core's rules for a new service.
    hidden [void] AssertValid() {
        if ($this.Ensure -eq [Ensure]::Absent) { return }
        $request = [Fusis.Core.Api.ServiceRequest]::new()
        $request.Name = $this.Name
        $request.Scheduler = $this.Scheduler
        $request.Persistent = $this.PersistenceTimeout
        $request.OnePacket = $this.OnePacket
        if ($this.Netmask) { $request.Netmask = $this.Netmask }
        if ($null -ne $this.SchedulerFlag) { $request.SchedulerFlags = [System.Collections.Generic.List[string]] @($this.SchedulerFlag) }
        if ($this.Snat) { $request.Snat = $this.Snat }
        if ($this.FirewallMark -gt 0) {
            $request.Protocol = [Fusis.Core.Vocabulary.Words]::FirewallMarkProtocol
            $request.FirewallMark = $this.FirewallMark
            if ($this.Address) { $request.Address = $this.Address }
            if ($this.Port) { $request.Port = $this.Port }
        }
        else {
            $request.Protocol = $this.Protocol
            $request.Address = $this.Address
            $request.Port = $this.Port
        }

        Assert-FusisRule { [Fusis.Core.Api.RequestMapper]::ToService($request, [NullString]::Value) }
    }
}

[DscResource()]
class FusisDestination {
    [DscProperty(Key)]
    [string] $ServiceName

    [DscProperty(Key)]
    [string] $Address

    [DscProperty(Key)]
    [int] $Port

    [DscProperty()]
    [int] $Weight = 1

    # nat, route or tunnel.
    [DscProperty()]
    [string] $ForwardingMethod = 'nat'

    [DscProperty()]
    [uint32] $UpperThreshold

    [DscProperty()]
    [uint32] $LowerThreshold

    # Tunnel settings (ipip, gue or gre; none, checksum or remote-checksum), compared only when given.
    [DscProperty()]
    [string] $TunnelType

    [DscProperty()]
    [int] $TunnelPort

    [DscProperty()]
    [string] $TunnelChecksum

    [DscProperty()]
    [Ensure] $Ensure = [Ensure]::Present

    [DscProperty(NotConfigurable)]
    [FusisReason[]] $Reasons

    [FusisDestination] Get() {
        $this.AssertValid()
        if ($null -eq (Get-FusisService -Name $this.ServiceName -ErrorAction SilentlyContinue)) {
            throw [System.Management.Automation.ItemNotFoundException]::new(($script:Strings.ServiceNotOwned -f $this.ServiceName))
        }

        $wanted = [System.Net.IPAddress]::Parse($this.Address)
        $actual = Get-FusisDestination -ServiceName $this.ServiceName |
            Where-Object { [System.Net.IPAddress]::Parse($_.Address).Equals($wanted) -and $_.Port -eq $this.Port } |
            Select-Object -First 1
        $state = [FusisDestination]::new()
        $state.ServiceName = $this.ServiceName
        $state.Address = $this.Address
        $state.Port = $this.Port
        $drift = [System.Collections.Generic.List[FusisReason]]::new()
        if ($null -eq $actual) {
            $state.Ensure = [Ensure]::Absent
            if ($this.Ensure -eq [Ensure]::Present) {
                $drift.Add((New-FusisReason 'FusisDestination' 'Ensure' ($script:Strings.DestinationAbsent -f $this.ServiceName, $this.Address, $this.Port)))
            }
        }
        else {
            $state.Ensure = [Ensure]::Present
            $state.Weight = $actual.Weight
            $state.ForwardingMethod = $actual.ForwardingMethod
            $state.UpperThreshold = $actual.UpperThreshold
            $state.LowerThreshold = $actual.LowerThreshold
            if ($actual.TunnelType) {
                $state.TunnelType = $actual.TunnelType
                $state.TunnelPort = $actual.TunnelPort
                $state.TunnelChecksum = $actual.TunnelChecksum
            }
            if ($this.Ensure -eq [Ensure]::Absent) {
                $drift.Add((New-FusisReason 'FusisDestination' 'Ensure' ($script:Strings.DestinationPresent -f $this.ServiceName, $this.Address, $this.Port)))
            }
            else {
                $properties = @('Weight', 'ForwardingMethod', 'UpperThreshold', 'LowerThreshold') + $this.TunnelProperties()
                foreach ($reason in Get-FusisDrift 'FusisDestination' $this.InWords() $state $properties) { $drift.Add($reason) }
            }
        }

        $state.Reasons = $drift.ToArray()
        return $state
    }

    [bool] Test() {
        return $this.Get().Reasons.Count -eq 0
    }

    [void] Set() {
        $current = $this.Get()
        if ($current.Reasons.Count -eq 0) {
            return
        }

        $target = @{ ServiceName = $this.ServiceName; Address = $this.Address; Port = $this.Port }
        if ($this.Ensure -eq [Ensure]::Absent) {
            Remove-FusisDestination @target -Confirm:$false -ErrorAction Stop
            return
        }

        $settings = @{ Weight = $this.Weight; ForwardingMethod = $this.ForwardingMethod; UpperThreshold = $this.UpperThreshold; LowerThreshold = $this.LowerThreshold }
        foreach ($property in $this.TunnelProperties()) { $settings[$property] = $this.$property }
        if ($current.Ensure -eq [Ensure]::Absent) {
            New-FusisDestination @target @settings -ErrorAction Stop
            return
        }

        $changes = @{}
        foreach ($reason in $current.Reasons) { $property = $reason.Code.Split(':')[-1]; $changes[$property] = $settings[$property] }
        Set-FusisDestination @target @changes -ErrorAction Stop
    }

    # The tunnel settings given (Core's rules refuse them without the tunnel forwarding method).
    hidden [string[]] TunnelProperties() {
        return @('TunnelType', 'TunnelPort', 'TunnelChecksum' | Where-Object { $this.$_ })
    }

    hidden [FusisDestination] InWords() {
        $copy = [FusisDestination]::new()
        foreach ($property in 'Weight', 'UpperThreshold', 'LowerThreshold', 'TunnelPort') { $copy.$property = $this.$property }
        $copy.ForwardingMethod = ConvertTo-FusisWord 'ForwardingMethods' $this.ForwardingMethod
        $copy.TunnelType = ConvertTo-FusisWord 'TunnelTypes' $this.TunnelType
        $copy.TunnelChecksum = ConvertTo-FusisWord 'TunnelChecksums' $this.TunnelChecksum
        return $copy
    }

    # Core's rules for a destination on its own.
    hidden [void] AssertValid() {
        $request = [Fusis.Core.Api.DestinationRequest]::new()
        $request.Address = $this.Address
        $request.Port = $this.Port
        $request.Weight = $this.Weight
        $request.Mode = $this.ForwardingMethod
        $request.UpperThreshold = $this.UpperThreshold
        $request.LowerThreshold = $this.LowerThreshold
        if ($this.TunnelType) { $request.TunnelType = $this.TunnelType }
        if ($this.TunnelPort) { $request.TunnelPort = $this.TunnelPort }
        if ($this.TunnelChecksum) { $request.TunnelChecksum = $this.TunnelChecksum }
        Assert-FusisRule { [Fusis.Core.Api.RequestMapper]::Validate($request) }
    }
}
