// One virtual network, two subnets. Silos: no inbound from the Internet; outbound through the egress load balancer's
// per-IP rules (a NAT gateway here would take over all outbound traffic and hide the egress IPs). Front-ends: SMTP
// from the Internet through the public load balancer, outbound through a NAT gateway.
param namePrefix string
param location string
param tags object

param addressPrefix string
param siloSubnetPrefix string
param frontEndSubnetPrefix string

@description('Silo-to-silo and gateway ports (Sendarix:Cluster).')
param siloPort int
param gatewayPort int

@description('Port of the API, the dashboard and the probes on every node (Sendarix:Api:Url).')
param apiPort int

@description('Ports the front-ends\' SMTP listeners bind to (the load balancer maps 587 and 465 to them).')
param smtpBackendPorts array

@description('Address ranges allowed to submit mail; [\'Internet\'] for anyone (AUTH is required either way).')
param smtpSourcePrefixes array

@description('Port of the front-ends\' feedback-loop listener, open to the Internet (providers send reports from anywhere); 0: none.')
param feedbackBackendPort int

// Traffic to storage, Key Vault and the registry stays on Azure's network and comes from the subnets' own addresses,
// so it neither uses SNAT ports of an egress IP nor needs the accounts opened to the Internet.
var serviceEndpoints = [
  { service: 'Microsoft.Storage' }
  { service: 'Microsoft.KeyVault' }
  { service: 'Microsoft.ContainerRegistry' }
]

resource siloNsg 'Microsoft.Network/networkSecurityGroups@2024-01-01' = {
  name: '${namePrefix}-silos-nsg'
  location: location
  tags: tags
  properties: {
    securityRules: [
      {
        name: 'cluster-from-vnet'
        properties: {
          priority: 100
          direction: 'Inbound'
          access: 'Allow'
          protocol: 'Tcp'
          sourceAddressPrefix: 'VirtualNetwork'
          sourcePortRange: '*'
          destinationAddressPrefix: 'VirtualNetwork'
          destinationPortRanges: [string(siloPort), string(gatewayPort), string(apiPort)]
        }
      }
    ]
  }
}

resource frontEndNsg 'Microsoft.Network/networkSecurityGroups@2024-01-01' = {
  name: '${namePrefix}-frontends-nsg'
  location: location
  tags: tags
  properties: {
    securityRules: [
      {
        // The load balancer does not translate the source, so rules see the client's address and the backend port.
        name: 'smtp-submission'
        properties: {
          priority: 100
          direction: 'Inbound'
          access: 'Allow'
          protocol: 'Tcp'
          sourceAddressPrefixes: smtpSourcePrefixes
          sourcePortRange: '*'
          destinationAddressPrefix: '*'
          destinationPortRanges: map(smtpBackendPorts, port => string(port))
        }
      }
      ...(feedbackBackendPort == 0 ? [] : [
        {
          name: 'feedback-loop-reports'
          properties: {
            priority: 105
            direction: 'Inbound'
            access: 'Allow'
            protocol: 'Tcp'
            sourceAddressPrefix: 'Internet'
            sourcePortRange: '*'
            destinationAddressPrefix: '*'
            destinationPortRange: string(feedbackBackendPort)
          }
        }
      ])
      {
        name: 'api-from-vnet'
        properties: {
          priority: 110
          direction: 'Inbound'
          access: 'Allow'
          protocol: 'Tcp'
          sourceAddressPrefix: 'VirtualNetwork'
          sourcePortRange: '*'
          destinationAddressPrefix: 'VirtualNetwork'
          destinationPortRange: string(apiPort)
        }
      }
    ]
  }
}

resource natIp 'Microsoft.Network/publicIPAddresses@2024-01-01' = {
  name: '${namePrefix}-frontends-nat-ip'
  location: location
  tags: tags
  sku: { name: 'Standard' }
  properties: {
    publicIPAllocationMethod: 'Static'
    publicIPAddressVersion: 'IPv4'
  }
}

resource nat 'Microsoft.Network/natGateways@2024-01-01' = {
  name: '${namePrefix}-frontends-nat'
  location: location
  tags: tags
  sku: { name: 'Standard' }
  properties: {
    idleTimeoutInMinutes: 10
    publicIpAddresses: [{ id: natIp.id }]
  }
}

resource vnet 'Microsoft.Network/virtualNetworks@2024-01-01' = {
  name: '${namePrefix}-vnet'
  location: location
  tags: tags
  properties: {
    addressSpace: { addressPrefixes: [addressPrefix] }
    subnets: [
      {
        name: 'silos'
        properties: {
          addressPrefix: siloSubnetPrefix
          networkSecurityGroup: { id: siloNsg.id }
          serviceEndpoints: serviceEndpoints
          // No implicit outbound: every silo connection leaves through an egress IP that has its PTR record.
          defaultOutboundAccess: false
        }
      }
      {
        name: 'frontends'
        properties: {
          addressPrefix: frontEndSubnetPrefix
          networkSecurityGroup: { id: frontEndNsg.id }
          natGateway: { id: nat.id }
          serviceEndpoints: serviceEndpoints
          defaultOutboundAccess: false
        }
      }
    ]
  }
}

output siloSubnetId string = '${vnet.id}/subnets/silos'
output frontEndSubnetId string = '${vnet.id}/subnets/frontends'
