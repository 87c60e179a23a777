// Key Vault with Azure RBAC: the relay reads its secrets (operator API key, DKIM key-encryption key) and its SMTP TLS
// certificate as its managed identity; operators write them. Nothing secret passes through the deployment.
param name string
param location string
param tags object

@description('Principal id of the relay\'s managed identity (reads secrets and certificates).')
param principalId string

@description('Object id of the operator (user or group) who writes secrets and certificates; empty: none assigned here.')
param operatorPrincipalId string

@description('User, Group or ServicePrincipal: the kind of operatorPrincipalId.')
param operatorPrincipalType string

param allowedSubnetIds array
param allowedIpRanges array

var secretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var certificateUser = 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba'
var secretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
var certificatesOfficer = 'a4417e6f-fecd-4de8-b567-7b0420556985'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // A deleted key-encryption key would make every stored DKIM key unreadable: purging must never be possible.
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: empty(allowedSubnetIds) ? 'Allow' : 'Deny'
      virtualNetworkRules: [for id in allowedSubnetIds: { id: id, ignoreMissingVnetServiceEndpoint: false }]
      ipRules: [for range in allowedIpRanges: { value: range }]
    }
  }
}

resource relayRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in [secretsUser, certificateUser]: {
  scope: vault
  name: guid(vault.id, principalId, role)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]

resource operatorRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in (empty(operatorPrincipalId) ? [] : [secretsOfficer, certificatesOfficer]): {
  scope: vault
  name: guid(vault.id, operatorPrincipalId, role)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
  }
}]

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
