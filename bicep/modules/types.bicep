// Shapes shared by main.bicep and its modules.

@export()
@description('An egress IP of the relay: a static public IP that a pool sends from.')
type egressIp = {
  @description('Short name, used in resource names (letters, digits, hyphens).')
  name: string

  @description('The relay\'s pool (Sendarix:Egress:Pools:{pool}); letters and digits, so it is a valid environment variable name part.')
  pool: string

  @description('Tier in the pool; lower tiers are used first.')
  @minValue(0)
  @maxValue(9)
  tier: int?

  @description('Starting status in the relay.')
  status: ('warm' | 'warming' | 'cold' | 'paused')?

  @description('PTR name; Azure accepts it only once it resolves to this IP, so it is usually set on a second deployment.')
  reverseFqdn: string?
}

@export()
@description('A scale set\'s size.')
type nodeGroup = {
  @description('Number of VMs.')
  @minValue(0)
  count: int

  @description('VM size; a silo\'s size must allow one NIC per egress IP (D2s_v5: 2, D8s_v5: 4, D16s_v5: 8).')
  vmSize: string
}
