import { egressIp } from 'types.bicep'

// Egress IPs: one static public IP each, with its reverse DNS name, and a load balancer with one outbound rule per IP.
// Rule i sends whatever leaves a silo's NIC i through IP i, and every silo has a NIC i, so every silo can send from
// every egress IP: what the relay's pools need, since any silo may deliver any tenant's mail.
param namePrefix string
param location string
param tags object

@description('The egress IPs, in the order of the silos\' NICs.')
param egressIps egressIp[]

@description('Availability zones for the IPs (empty: no zone pinning; [\'1\',\'2\',\'3\'] zone-redundant).')
param zones array

@description('SNAT ports each silo gets on each IP: 64,000 shared by at most this many silos per IP, in multiples of 8.')
param portsPerSilo int

resource ips 'Microsoft.Network/publicIPAddresses@2024-01-01' = [for ip in egressIps: {
  name: '${namePrefix}-egress-${ip.name}'
  location: location
  tags: union(tags, { 'sendarix-pool': ip.pool })
  sku: { name: 'Standard' }
  zones: zones
  properties: {
    publicIPAllocationMethod: 'Static'
    publicIPAddressVersion: 'IPv4'
    // Azure sets the PTR only once the name resolves to this IP; an empty reverseFqdn is set after DNS exists.
    dnsSettings: empty(ip.?reverseFqdn ?? '') ? null : {
      domainNameLabel: '${namePrefix}-egress-${ip.name}-${uniqueString(resourceGroup().id)}'
      reverseFqdn: ip.?reverseFqdn
    }
  }
}]

resource lb 'Microsoft.Network/loadBalancers@2024-01-01' = {
  name: '${namePrefix}-egress-lb'
  location: location
  tags: tags
  sku: { name: 'Standard', tier: 'Regional' }
  properties: {
    frontendIPConfigurations: [for (ip, i) in egressIps: {
      name: 'egress-${ip.name}'
      properties: { publicIPAddress: { id: ips[i].id } }
    }]
    backendAddressPools: [for ip in egressIps: { name: 'egress-${ip.name}' }]
    outboundRules: [for ip in egressIps: {
      name: 'egress-${ip.name}'
      properties: {
        protocol: 'All'
        enableTcpReset: true
        idleTimeoutInMinutes: 15
        allocatedOutboundPorts: portsPerSilo
        frontendIPConfigurations: [{ id: resourceId('Microsoft.Network/loadBalancers/frontendIPConfigurations', '${namePrefix}-egress-lb', 'egress-${ip.name}') }]
        backendAddressPool: { id: resourceId('Microsoft.Network/loadBalancers/backendAddressPools', '${namePrefix}-egress-lb', 'egress-${ip.name}') }
      }
    }]
  }
}

@description('Per egress IP, in NIC order: its public address and the backend pool its silo NIC joins.')
output ips array = [for (ip, i) in egressIps: {
  name: ip.name
  pool: ip.pool
  tier: ip.?tier ?? 0
  status: ip.?status ?? 'warm'
  address: ips[i].properties.ipAddress
  backendPoolId: lb.properties.backendAddressPools[i].id
}]
