// A VM scale set of relay nodes (silos or front-ends): Ubuntu with Docker runs the relay's image on the host's
// network, as the managed identity. Settings reach the VMs in the Custom Script extension's protected settings, so a
// change of image or settings is a model change that the rolling upgrade applies a batch at a time, gated on
// /health/ready.
param name string

@description('Start of the VMs\' host names (Azure appends six characters); distinct per scale set, since both register in the network\'s DNS.')
@maxLength(9)
param computerNamePrefix string

param location string
param tags object

@description('Resource id and client id of the relay\'s managed identity.')
param identityId string
param identityClientId string

param subnetId string
param vmSize string

@minValue(0)
param instanceCount int

@description('Availability zones to spread the VMs over (empty: none).')
param zones array

param adminUsername string

@description('SSH public key of the admin user (password login is off).')
param adminSshPublicKey string

@description('The relay\'s environment variables on these nodes (name: value).')
param settings object

@description('The relay\'s image, e.g. myregistry.azurecr.io/sendarix:1.0.0.')
param image string

param registryLoginServer string

@description('Silos: the egress IPs in NIC order ({ address, backendPoolId }), one NIC each. Front-ends: empty.')
param egressIps array = []

@description('Front-ends: the load balancers\' backend pools their one NIC joins.')
param backendPoolIds array = []

@description('Port of the probes (/alive, /health/ready).')
param probePort int

@description('Percentage of the VMs upgraded at once; silos go one or two at a time so grains move gradually.')
@minValue(5)
@maxValue(100)
param maxBatchInstancePercent int

var nics = empty(egressIps) ? [{ pools: backendPoolIds }] : map(egressIps, e => { pools: [e.backendPoolId] })
var envFile = join(map(items(settings), s => '${s.key}=${s.value}'), '\n')
var script = reduce(
  items({
    '@REGISTRY@': registryLoginServer
    '@IMAGE@': image
    '@CLIENT_ID@': identityClientId
    '@EGRESS_IPS@': join(map(egressIps, e => e.address), ' ')
    '@ENV_B64@': base64('${envFile}\n')
  }),
  loadTextContent('../scripts/node.sh'),
  (text, placeholder) => replace(text, placeholder.key, placeholder.value)
)

resource scaleSet 'Microsoft.Compute/virtualMachineScaleSets@2024-07-01' = {
  name: name
  location: location
  tags: tags
  zones: empty(zones) ? null : zones
  sku: { name: vmSize, tier: 'Standard', capacity: instanceCount }
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    orchestrationMode: 'Uniform'
    // Extra VMs made and deleted during a scale-out would join the Orleans cluster for a moment.
    overprovision: false
    zoneBalance: empty(zones) ? null : true
    upgradePolicy: {
      mode: 'Rolling'
      rollingUpgradePolicy: {
        maxBatchInstancePercent: maxBatchInstancePercent
        maxUnhealthyInstancePercent: 34
        maxUnhealthyUpgradedInstancePercent: 34
        pauseTimeBetweenBatches: 'PT1M'
        prioritizeUnhealthyInstances: true
      }
    }
    virtualMachineProfile: {
      osProfile: {
        computerNamePrefix: computerNamePrefix
        adminUsername: adminUsername
        linuxConfiguration: {
          disablePasswordAuthentication: true
          ssh: {
            publicKeys: [
              {
                path: '/home/${adminUsername}/.ssh/authorized_keys'
                keyData: adminSshPublicKey
              }
            ]
          }
        }
      }
      storageProfile: {
        imageReference: {
          publisher: 'Canonical'
          offer: 'ubuntu-24_04-lts'
          sku: 'server'
          version: 'latest'
        }
        osDisk: {
          createOption: 'FromImage'
          caching: 'ReadWrite'
          diskSizeGB: 64
          managedDisk: { storageAccountType: 'Premium_LRS' }
        }
      }
      securityProfile: {
        securityType: 'TrustedLaunch'
        uefiSettings: { secureBootEnabled: true, vTpmEnabled: true }
      }
      networkProfile: {
        networkInterfaceConfigurations: [for (nic, i) in nics: {
          name: 'nic${i}'
          properties: {
            primary: i == 0
            enableAcceleratedNetworking: true
            ipConfigurations: [
              {
                name: 'ipconfig'
                properties: {
                  primary: true
                  subnet: { id: subnetId }
                  loadBalancerBackendAddressPools: map(nic.pools, id => { id: id })
                }
              }
            ]
          }
        }]
      }
      extensionProfile: {
        extensions: [
          {
            name: 'node'
            properties: {
              publisher: 'Microsoft.Azure.Extensions'
              type: 'CustomScript'
              typeHandlerVersion: '2.1'
              autoUpgradeMinorVersion: true
              protectedSettings: { script: base64(script) }
            }
          }
          {
            name: 'health'
            properties: {
              publisher: 'Microsoft.ManagedServices'
              type: 'ApplicationHealthLinux'
              typeHandlerVersion: '2.0'
              autoUpgradeMinorVersion: true
              provisionAfterExtensions: ['node']
              settings: {
                protocol: 'http'
                port: probePort
                requestPath: '/health/ready'
                intervalInSeconds: 10
                numberOfProbes: 3
                gracePeriod: 900
              }
            }
          }
        ]
      }
    }
  }
}

output id string = scaleSet.id
output name string = scaleSet.name
