// Log Analytics holds everything; Application Insights (workspace-based) receives the relay's OpenTelemetry metrics,
// traces and logs through its connection string.
param namePrefix string
param location string
param tags object

@description('Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param retentionDays int

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${namePrefix}-logs'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionDays
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${namePrefix}-insights'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    RetentionInDays: retentionDays
  }
}

output workspaceId string = workspace.id
output insightsId string = insights.id
output insightsName string = insights.name
// Not a secret (it only lets a sender write telemetry), but kept out of logs by being passed to the nodes in the
// scale sets' protected settings.
output connectionString string = insights.properties.ConnectionString
