# Localized messages of the Fusis DSC resources (Import-LocalizedData).
@{
    PropertyDrift = '{0} should be ''{1}'' but is ''{2}''.'
    ServiceAbsent = 'The service ''{0}'' should exist but does not.'
    ServicePresent = 'The service ''{0}'' should not exist but does.'
    DestinationAbsent = 'The destination {1}:{2} of ''{0}'' should exist but does not.'
    DestinationPresent = 'The destination {1}:{2} of ''{0}'' should not exist but does.'
    ServiceNotOwned = 'The service ''{0}'' does not exist or Fusis does not own it; create it first (FusisService).'
}
