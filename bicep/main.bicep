// Sendarix on Azure: storage (Entra ID only), Key Vault, a registry, Log Analytics and Application Insights, alert
// rules and a workbook, and the relay itself on two VM scale sets: silos (grains and delivery, sending from the
// egress IPs) and front-ends (SMTP submission and the management API). Why scale sets and not AKS or Container Apps,
// and how to deploy: bicep/README.md.
targetScope = 'resourceGroup'

import { egressIp, nodeGroup } from 'modules/types.bicep'

@description('Prefix of every resource name.')
@minLength(3)
@maxLength(12)
param name string = 'sendarix'

param location string = resourceGroup().location
param tags object = { application: 'sendarix' }

// The relay's image and where it comes from.
@description('Repository of the relay\'s image in the deployed registry.')
param imageRepository string = 'sendarix'

@description('Tag of the image to run; deploy again with a new tag to roll it out.')
param imageTag string

@allowed(['Basic', 'Standard', 'Premium'])
param registrySku string = 'Standard'

// Nodes.
@description('Silos: grains, reminders, delivery and webhooks.')
param silos nodeGroup

@description('Front-ends: SMTP submission and the management API.')
param frontEnds nodeGroup

@description('Availability zones to spread VMs and IPs over (empty where the region has none).')
param zones array = []

param adminUsername string = 'sendarix'

@description('SSH public key of the VMs\' admin user.')
param adminSshPublicKey string

// Mail.
@description('The front-ends\' name in the SMTP greeting and the certificate (Sendarix:Smtp:ServerName), e.g. smtp.example.com.')
param smtpHostName string

@description('Name the silos give in EHLO (Sendarix:Delivery:HeloName); it should be the egress IPs\' PTR name or share its domain.')
param heloName string

@description('The name senders include in SPF (Sendarix:Domains:SpfInclude), e.g. spf.example.com; empty: none.')
param spfInclude string = ''

@description('Name of the Key Vault certificate the front-ends present for STARTTLS and implicit TLS.')
param smtpCertificateName string = 'sendarix-smtp'

@description('Address ranges allowed to submit mail.')
param smtpSourcePrefixes array = ['Internet']

@description('Addresses registered with providers\' feedback loops (Sendarix:Smtp:FeedbackAddresses); set, the front-ends take their reports on port 25. Empty: no feedback listener.')
param feedbackAddresses array = []

@description('Egress IPs, in the order of the silos\' NICs (a silo VM size must allow that many NICs).')
@minLength(1)
@maxLength(8)
param egressIps egressIp[]

@description('Pool of tenants without their own (Sendarix:Egress:DefaultPool); empty: the first IP\'s pool.')
param defaultPool string = ''

@description('SNAT ports each silo gets per egress IP (64,000 per IP in all; multiple of 8).')
param portsPerSilo int = 8000

// Data.
@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GZRS'])
param storageSku string = 'Standard_ZRS'

@description('Keep search and statistics in an account of their own, so reporting writes never take requests from acceptance and delivery.')
param separateReportingAccount bool = false

@description('Prefix of the relay\'s tables, queues and containers (Sendarix:Storage:Prefix).')
param storagePrefix string = 'sx'

@description('Days a tenant\'s messages are kept unless set per tenant (Sendarix:Retention:DefaultDays).')
@minValue(1)
@maxValue(3650)
param retentionDays int = 30

@description('Days after which the lifecycle rule deletes any message body; at least the longest tenant retention plus the longest message lifetime (5 days). 0: retentionDays + 7.')
@minValue(0)
param bodyLifecycleDays int = 0

// Access.
@description('Object id of the operator (user or group) given the Key Vault secrets and certificates officer roles; empty: none.')
param operatorPrincipalId string = ''

@allowed(['User', 'Group', 'ServicePrincipal'])
param operatorPrincipalType string = 'User'

@description('Allow storage and Key Vault only from the relay\'s subnets and operatorIpRanges.')
param restrictNetworkAccess bool = true

@description('Public CIDR ranges of operators allowed to storage and Key Vault when restricted.')
param operatorIpRanges array = []

// Monitoring.
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

param alertEmails array = []

@description('Alert thresholds: bounceRatePercent, deferralRatePercent, minimumOutcomes, queueDepth, queueOldestAgeSeconds, webhookFailures.')
param alertThresholds {
  bounceRatePercent: int
  deferralRatePercent: int
  minimumOutcomes: int
  queueDepth: int
  queueOldestAgeSeconds: int
  webhookFailures: int
} = {
  bounceRatePercent: 5
  deferralRatePercent: 30
  minimumOutcomes: 200
  queueDepth: 10000
  queueOldestAgeSeconds: 900
  webhookFailures: 50
}

// Ports of the relay inside the VMs. SMTP listens above 1024 (the container runs as a non-root user) and the
// load balancer maps the standard ports to them.
var apiPort = 8025
var siloPort = 11111
var gatewayPort = 30000
var submissionPorts = [
  { name: 'submission', frontend: 587, backend: 2587 }
  { name: 'submissions', frontend: 465, backend: 2465 }
]
var feedbackPort = { name: 'feedback', frontend: 25, backend: 2525 }
var smtpPorts = concat(submissionPorts, empty(feedbackAddresses) ? [] : [feedbackPort])

var suffix = uniqueString(resourceGroup().id)
var compactName = toLower(replace(name, '-', ''))

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: { name: '${name}-relay', location: location, tags: tags }
}

module network 'modules/network.bicep' = {
  name: 'network'
  params: {
    namePrefix: name
    location: location
    tags: tags
    addressPrefix: '10.40.0.0/16'
    siloSubnetPrefix: '10.40.1.0/24'
    frontEndSubnetPrefix: '10.40.2.0/24'
    siloPort: siloPort
    gatewayPort: gatewayPort
    apiPort: apiPort
    smtpBackendPorts: map(submissionPorts, p => p.backend)
    smtpSourcePrefixes: smtpSourcePrefixes
    feedbackBackendPort: empty(feedbackAddresses) ? 0 : feedbackPort.backend
  }
}

var allowedSubnetIds = restrictNetworkAccess ? [network.outputs.siloSubnetId, network.outputs.frontEndSubnetId] : []

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: '${take(compactName, 8)}${suffix}'
    location: location
    tags: tags
    skuName: storageSku
    principalId: identity.outputs.principalId
    prefix: storagePrefix
    bodyRetentionDays: bodyLifecycleDays == 0 ? retentionDays + 7 : bodyLifecycleDays
    allowedSubnetIds: allowedSubnetIds
    allowedIpRanges: operatorIpRanges
  }
}

module reporting 'modules/storage.bicep' = if (separateReportingAccount) {
  name: 'reporting-storage'
  params: {
    name: '${take(compactName, 8)}r${suffix}'
    location: location
    tags: tags
    skuName: storageSku
    principalId: identity.outputs.principalId
    tablesOnly: true
    prefix: storagePrefix
    allowedSubnetIds: allowedSubnetIds
    allowedIpRanges: operatorIpRanges
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: '${take(compactName, 8)}-${suffix}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
    allowedSubnetIds: allowedSubnetIds
    allowedIpRanges: operatorIpRanges
  }
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  params: {
    name: '${compactName}${suffix}'
    location: location
    tags: tags
    skuName: registrySku
    principalId: identity.outputs.principalId
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: { namePrefix: name, location: location, tags: tags, retentionDays: logRetentionDays }
}

module egress 'modules/egress.bicep' = {
  name: 'egress'
  params: {
    namePrefix: name
    location: location
    tags: tags
    egressIps: egressIps
    zones: zones
    portsPerSilo: portsPerSilo
  }
}

module frontEndLb 'modules/frontend-lb.bicep' = {
  name: 'frontend-lb'
  params: {
    namePrefix: name
    location: location
    tags: tags
    zones: zones
    subnetId: network.outputs.frontEndSubnetId
    apiPort: apiPort
    smtpPorts: smtpPorts
  }
}

// The relay's settings as environment variables (a setting's colons become double underscores). Every name here is checked
// against the relay's options classes by tests/Sendarix.Tests.Unit/Deployment/BicepTests.cs.
var commonSettings = {
  AZURE_CLIENT_ID: identity.outputs.clientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
  Sendarix__KeyVault__Uri: keyVault.outputs.uri
  Sendarix__Storage__TableServiceUri: storage.outputs.tableEndpoint
  Sendarix__Storage__QueueServiceUri: storage.outputs.queueEndpoint
  Sendarix__Storage__BlobServiceUri: storage.outputs.blobEndpoint
  Sendarix__Storage__ReportingTableServiceUri: separateReportingAccount ? reporting!.outputs.tableEndpoint : storage.outputs.tableEndpoint
  Sendarix__Storage__Prefix: storagePrefix
  Sendarix__Cluster__ClusterId: name
  Sendarix__Cluster__ServiceId: name
  Sendarix__Cluster__SiloPort: string(siloPort)
  Sendarix__Cluster__GatewayPort: string(gatewayPort)
  Sendarix__Api__Url: 'http://0.0.0.0:${apiPort}'
  Sendarix__Retention__DefaultDays: string(retentionDays)
  // journald keeps one JSON object a line; Application Insights gets the structured logs anyway.
  Sendarix__Telemetry__JsonConsoleLogs: 'true'
}

// Sendarix:Egress:Pools:{pool}:Ips:{n}: list indices need not be contiguous within a pool, so the IP's position in
// egressIps serves as its index.
var egressSettings = reduce(range(0, length(egressIps)), {}, (settings, i) => union(settings, {
  'Sendarix__Egress__Pools__${egressIps[i].pool}__Ips__${i}__Address': egress.outputs.ips[i].address
  'Sendarix__Egress__Pools__${egressIps[i].pool}__Ips__${i}__Tier': string(egressIps[i].?tier ?? 0)
  'Sendarix__Egress__Pools__${egressIps[i].pool}__Ips__${i}__Status': egressIps[i].?status ?? 'warm'
}))

var siloSettings = union(commonSettings, egressSettings, {
  Sendarix__Roles__Silo: 'true'
  Sendarix__Roles__Smtp: 'false'
  Sendarix__Roles__Api: 'false'
  Sendarix__Delivery__HeloName: heloName
  Sendarix__Egress__DefaultPool: empty(defaultPool) ? egressIps[0].pool : defaultPool
}, empty(spfInclude) ? {} : { Sendarix__Domains__SpfInclude: spfInclude })

var frontEndSettings = union(commonSettings, {
  Sendarix__Roles__Silo: 'false'
  Sendarix__Roles__Smtp: 'true'
  Sendarix__Roles__Api: 'true'
  Sendarix__Smtp__ServerName: smtpHostName
  Sendarix__Smtp__BindAddress: '0.0.0.0'
  Sendarix__Smtp__StartTlsPort: string(submissionPorts[0].backend)
  Sendarix__Smtp__ImplicitTlsPort: string(submissionPorts[1].backend)
  Sendarix__Smtp__CertificateKeyVaultName: smtpCertificateName
}, empty(feedbackAddresses) ? {} : reduce(range(0, length(feedbackAddresses)), {
  Sendarix__Smtp__FeedbackPort: string(feedbackPort.backend)
}, (settings, i) => union(settings, { 'Sendarix__Smtp__FeedbackAddresses__${i}': feedbackAddresses[i] })))

var image = '${registry.outputs.loginServer}/${imageRepository}:${imageTag}'

module siloNodes 'modules/scale-set.bicep' = {
  name: 'silos'
  params: {
    name: '${name}-silo'
    computerNamePrefix: '${take(compactName, 5)}silo'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    subnetId: network.outputs.siloSubnetId
    vmSize: silos.vmSize
    instanceCount: silos.count
    zones: zones
    adminUsername: adminUsername
    adminSshPublicKey: adminSshPublicKey
    settings: siloSettings
    image: image
    registryLoginServer: registry.outputs.loginServer
    egressIps: egress.outputs.ips
    probePort: apiPort
    maxBatchInstancePercent: 20
  }
}

module frontEndNodes 'modules/scale-set.bicep' = {
  name: 'frontends'
  params: {
    name: '${name}-fe'
    computerNamePrefix: '${take(compactName, 5)}fe'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    subnetId: network.outputs.frontEndSubnetId
    vmSize: frontEnds.vmSize
    instanceCount: frontEnds.count
    zones: zones
    adminUsername: adminUsername
    adminSshPublicKey: adminSshPublicKey
    settings: frontEndSettings
    image: image
    registryLoginServer: registry.outputs.loginServer
    backendPoolIds: frontEndLb.outputs.backendPoolIds
    probePort: apiPort
    maxBatchInstancePercent: 34
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    namePrefix: name
    location: location
    tags: tags
    insightsId: monitoring.outputs.insightsId
    emails: alertEmails
    expectedSilos: silos.count
    bounceRatePercent: alertThresholds.bounceRatePercent
    deferralRatePercent: alertThresholds.deferralRatePercent
    minimumOutcomes: alertThresholds.minimumOutcomes
    queueDepth: alertThresholds.queueDepth
    queueOldestAgeSeconds: alertThresholds.queueOldestAgeSeconds
    webhookFailures: alertThresholds.webhookFailures
  }
}

module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  params: {
    location: location
    tags: tags
    displayName: '${name} relay'
    insightsId: monitoring.outputs.insightsId
  }
}

output registryLoginServer string = registry.outputs.loginServer
output image string = image
output smtpAddress string = frontEndLb.outputs.smtpAddress
output apiAddress string = frontEndLb.outputs.apiAddress
output egressAddresses array = map(egress.outputs.ips, ip => { name: ip.name, pool: ip.pool, address: ip.address })
output keyVaultName string = keyVault.outputs.name
output keyVaultUri string = keyVault.outputs.uri
output storageAccount string = storage.outputs.name
output identityClientId string = identity.outputs.clientId
output workbookId string = workbook.outputs.id
