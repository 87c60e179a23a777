// How mail and operators reach the front-ends. SMTP: a public Standard load balancer, which forwards packets without
// translating their source, so the relay sees each client's own address (its per-client limits, network allowlists
// and Received: headers depend on it). The API and dashboard: an internal load balancer, reachable only from the
// virtual network and what is peered or connected to it.
param namePrefix string
param location string
param tags object
param zones array
param subnetId string

@description('Port of the API, the dashboard and the probes on the front-ends.')
param apiPort int

@description('Public port to the port the relay listens on, e.g. [{ name: \'submission\', frontend: 587, backend: 2587 }].')
param smtpPorts array

resource smtpIp 'Microsoft.Network/publicIPAddresses@2024-01-01' = {
  name: '${namePrefix}-smtp-ip'
  location: location
  tags: tags
  sku: { name: 'Standard' }
  zones: zones
  properties: {
    publicIPAllocationMethod: 'Static'
    publicIPAddressVersion: 'IPv4'
  }
}

var publicName = '${namePrefix}-smtp-lb'
var internalName = '${namePrefix}-api-lb'

// Ready, not merely alive: a front-end that cannot reach storage or the cluster gets no new sessions.
var readyProbe = {
  name: 'ready'
  properties: {
    protocol: 'Http'
    port: apiPort
    requestPath: '/health/ready'
    intervalInSeconds: 5
    numberOfProbes: 2
    probeThreshold: 2
  }
}

resource smtpLb 'Microsoft.Network/loadBalancers@2024-01-01' = {
  name: publicName
  location: location
  tags: tags
  sku: { name: 'Standard', tier: 'Regional' }
  properties: {
    frontendIPConfigurations: [{ name: 'smtp', properties: { publicIPAddress: { id: smtpIp.id } } }]
    backendAddressPools: [{ name: 'frontends' }]
    probes: [readyProbe]
    loadBalancingRules: [for port in smtpPorts: {
      name: port.name
      properties: {
        protocol: 'Tcp'
        frontendPort: port.frontend
        backendPort: port.backend
        // Sessions last minutes and sit idle between messages; the relay's own IdleTimeout closes them first.
        idleTimeoutInMinutes: 30
        enableTcpReset: true
        // Outbound goes through the subnet's NAT gateway.
        disableOutboundSnat: true
        loadDistribution: 'Default'
        frontendIPConfiguration: { id: resourceId('Microsoft.Network/loadBalancers/frontendIPConfigurations', publicName, 'smtp') }
        backendAddressPool: { id: resourceId('Microsoft.Network/loadBalancers/backendAddressPools', publicName, 'frontends') }
        probe: { id: resourceId('Microsoft.Network/loadBalancers/probes', publicName, 'ready') }
      }
    }]
  }
}

resource apiLb 'Microsoft.Network/loadBalancers@2024-01-01' = {
  name: internalName
  location: location
  tags: tags
  sku: { name: 'Standard', tier: 'Regional' }
  properties: {
    frontendIPConfigurations: [
      {
        name: 'api'
        zones: zones
        properties: { privateIPAllocationMethod: 'Dynamic', subnet: { id: subnetId } }
      }
    ]
    backendAddressPools: [{ name: 'frontends' }]
    probes: [readyProbe]
    loadBalancingRules: [
      {
        name: 'api'
        properties: {
          protocol: 'Tcp'
          frontendPort: apiPort
          backendPort: apiPort
          idleTimeoutInMinutes: 4
          enableTcpReset: true
          frontendIPConfiguration: { id: resourceId('Microsoft.Network/loadBalancers/frontendIPConfigurations', internalName, 'api') }
          backendAddressPool: { id: resourceId('Microsoft.Network/loadBalancers/backendAddressPools', internalName, 'frontends') }
          probe: { id: resourceId('Microsoft.Network/loadBalancers/probes', internalName, 'ready') }
        }
      }
    ]
  }
}

output backendPoolIds array = [smtpLb.properties.backendAddressPools[0].id, apiLb.properties.backendAddressPools[0].id]
output smtpAddress string = smtpIp.properties.ipAddress
output apiAddress string = apiLb.properties.frontendIPConfigurations[0].properties.privateIPAddress
