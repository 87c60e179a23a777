// A storage account of the relay, reached only through Microsoft Entra ID: shared keys are off, so no connection
// string with a key exists anywhere, and the relay's managed identity gets data roles instead.
param name string
param location string
param tags object

@description('Standard_LRS, Standard_ZRS or Standard_GZRS.')
param skuName string

@description('Principal id of the relay\'s managed identity.')
param principalId string

@description('Whether this account holds only tables (the reporting account): no queue or blob roles, no lifecycle rule.')
param tablesOnly bool = false

@description('Prefix of the relay\'s tables, queues and containers (Sendarix:Storage:Prefix).')
param prefix string

@description('Days after which message bodies are deleted by the lifecycle rule; 0 keeps them until the relay deletes them.')
@minValue(0)
param bodyRetentionDays int = 0

@description('Subnets allowed to reach the account (service endpoints); empty leaves the account open to all networks, still with Entra ID only.')
param allowedSubnetIds array

@description('Public address ranges (CIDR) of operators allowed besides the subnets.')
param allowedIpRanges array

// Built-in data roles (ids are the same in every tenant).
var tableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var queueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
var blobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var roles = tablesOnly ? [tableDataContributor] : [tableDataContributor, queueDataContributor, blobDataContributor]

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: skuName }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: empty(allowedSubnetIds) ? 'Allow' : 'Deny'
      virtualNetworkRules: [for id in allowedSubnetIds: { id: id, action: 'Allow' }]
      ipRules: [for range in allowedIpRanges: { value: range, action: 'Allow' }]
    }
  }
}

// A body is needed until every recipient of its message is settled and then for the tenant's retention; the relay's
// sweep deletes bodies per tenant, and this rule is the backstop for anything it leaves behind.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = if (!tablesOnly && bodyRetentionDays > 0) {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-message-bodies'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: ['blockBlob']
              prefixMatch: ['${prefix}-bodies/']
            }
            actions: {
              baseBlob: {
                delete: { daysAfterModificationGreaterThan: bodyRetentionDays }
              }
            }
          }
        }
      ]
    }
  }
}

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in roles: {
  scope: account
  name: guid(account.id, principalId, role)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]

output id string = account.id
output name string = account.name
output tableEndpoint string = account.properties.primaryEndpoints.table
output queueEndpoint string = account.properties.primaryEndpoints.queue
output blobEndpoint string = account.properties.primaryEndpoints.blob
