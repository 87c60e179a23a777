// An Azure Monitor workbook over the relay's metrics, shown in the Portal beside its Application Insights component.
// The workbook's content is bicep/workbook/relay.workbook.json (editable in the Portal, then exported back there).
param location string
param tags object
param displayName string

@description('Resource id of the Application Insights component whose data the workbook shows.')
param insightsId string

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name must be a GUID; this one is stable per component, so redeploying updates it in place.
  name: guid(insightsId, 'sendarix-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: insightsId
    serializedData: replace(loadTextContent('../workbook/relay.workbook.json'), '@INSIGHTS_ID@', insightsId)
  }
}

output id string = workbook.id
