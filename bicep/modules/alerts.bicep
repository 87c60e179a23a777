// Alert rules on the relay's own telemetry in Application Insights. They are log search rules over customMetrics
// (and traces for webhooks) rather than metric alerts: the relay's OpenTelemetry instruments reach Azure Monitor's
// metric store only as pre-aggregated custom metrics whose dimensions must be switched on separately, a metric alert
// cannot divide one metric by another (a bounce or deferral rate), and a rate needs a minimum of outcomes before it
// means anything. A query says all of that in one place, with the names of src/Sendarix.Core/Telemetry/MetricNames.cs.
param namePrefix string
param location string
param tags object

@description('Resource id of the Application Insights component the relay sends to.')
param insightsId string

@description('Addresses that get the alerts by e-mail; empty: the rules fire without notifying anyone.')
param emails array

@description('Number of silos deployed: fewer reporting is "a silo down" (0: no such rule).')
param expectedSilos int

@description('Bounce rate (bounced per delivered or bounced recipient) over an hour, in per cent, above which to alert.')
param bounceRatePercent int

@description('Deferral rate (deferred per outcome) over 15 minutes, in per cent, above which to alert.')
param deferralRatePercent int

@description('Outcomes a rate needs before it is judged.')
param minimumOutcomes int

@description('Work messages waiting in the delivery queue above which to alert.')
param queueDepth int

@description('Age of the oldest waiting work message, in seconds, above which to alert.')
param queueOldestAgeSeconds int

@description('Failed webhook deliveries (and endpoints disabled or given up on) in 15 minutes above which to alert.')
param webhookFailures int

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${namePrefix}-operators'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: take(namePrefix, 12)
    enabled: true
    emailReceivers: [for (email, i) in emails: {
      name: 'operator-${i}'
      emailAddress: email
      useCommonAlertSchema: true
    }]
  }
}

var rules = [
  {
    name: 'bounce-rate'
    description: 'More than ${bounceRatePercent}% of settled recipients bounced in the last hour (a list problem, or a blocklisting).'
    severity: 2
    window: 'PT1H'
    frequency: 'PT15M'
    measure: 'rate'
    operator: 'GreaterThan'
    threshold: bounceRatePercent
    query: '''
customMetrics
| where name == 'sendarix.deliveries'
| extend outcome = tostring(customDimensions.outcome)
| summarize bounced = sumif(valueSum, outcome == 'bounced'), settled = sumif(valueSum, outcome in ('delivered', 'bounced'))
| extend rate = iff(settled < @MIN@, 0.0, 100.0 * bounced / settled)
'''
  }
  {
    name: 'deferral-rate'
    description: 'More than ${deferralRatePercent}% of delivery outcomes in 15 minutes were deferrals (throttling, a blocked egress IP, a destination down).'
    severity: 3
    window: 'PT15M'
    frequency: 'PT5M'
    measure: 'rate'
    operator: 'GreaterThan'
    threshold: deferralRatePercent
    query: '''
customMetrics
| where name == 'sendarix.deliveries'
| extend outcome = tostring(customDimensions.outcome)
| summarize deferred = sumif(valueSum, outcome == 'deferred'), outcomes = sum(valueSum)
| extend rate = iff(outcomes < @MIN@, 0.0, 100.0 * deferred / outcomes)
'''
  }
  {
    name: 'queue-depth'
    description: 'More than ${queueDepth} work messages wait in the delivery queue.'
    severity: 2
    window: 'PT10M'
    frequency: 'PT5M'
    measure: 'depth'
    operator: 'GreaterThan'
    threshold: queueDepth
    // Every silo reads the same queue: the largest recent reading is the depth.
    query: '''
customMetrics
| where name == 'sendarix.queue.depth'
| summarize depth = max(value)
'''
  }
  {
    name: 'queue-oldest-age'
    description: 'The oldest waiting work message has waited more than ${queueOldestAgeSeconds} s: delivery is not keeping up, or stopped.'
    severity: 2
    window: 'PT10M'
    frequency: 'PT5M'
    measure: 'age'
    operator: 'GreaterThan'
    threshold: queueOldestAgeSeconds
    query: '''
customMetrics
| where name == 'sendarix.queue.oldest_age'
| summarize age = max(value)
'''
  }
  {
    name: 'webhook-failures'
    description: 'More than ${webhookFailures} webhook deliveries failed, were given up, or disabled an endpoint in 15 minutes.'
    severity: 3
    window: 'PT15M'
    frequency: 'PT5M'
    measure: 'failures'
    operator: 'GreaterThan'
    threshold: webhookFailures
    // The relay's log events, by their EventName (Sendarix.Delivery/Webhooks, Sendarix.Grains/Webhooks).
    query: '''
traces
| where tostring(customDimensions.EventName) in ('WebhookDeliveryFailed', 'WebhookGaveUp', 'WebhookEndpointDisabled', 'WebhookEndpointGone', 'WebhookQueueUnavailable')
| summarize failures = count()
'''
  }
]

// Each silo reads the queue gauges every 10 s and exports them every minute under its own instance id; a silo that
// has not reported for five minutes is down (or cannot reach storage, which for a silo is the same).
var siloRule = {
  name: 'silo-down'
  description: 'Fewer than ${expectedSilos} silos reported in the last 5 minutes.'
  severity: 1
  window: 'PT5M'
  frequency: 'PT5M'
  measure: 'silos'
  operator: 'LessThan'
  threshold: expectedSilos
  query: '''
customMetrics
| where name == 'sendarix.queue.depth'
| summarize silos = dcount(cloud_RoleInstance)
'''
}

resource alerts 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [for rule in concat(rules, expectedSilos > 0 ? [siloRule] : []): {
  name: '${namePrefix}-${rule.name}'
  location: location
  tags: tags
  properties: {
    displayName: '${namePrefix}: ${rule.name}'
    description: rule.description
    severity: rule.severity
    enabled: true
    scopes: [insightsId]
    evaluationFrequency: rule.frequency
    windowSize: rule.window
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: replace(rule.query, '@MIN@', string(minimumOutcomes))
          timeAggregation: 'Maximum'
          metricMeasureColumn: rule.measure
          operator: rule.operator
          threshold: rule.threshold
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: { actionGroups: [actionGroup.id] }
  }
}]

output actionGroupId string = actionGroup.id
