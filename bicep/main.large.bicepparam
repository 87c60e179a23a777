// A large deployment: six silos with four egress IPs each (a shared pool, a second tier, a dedicated pool and a cold
// IP to warm up), four front-ends, zone-redundant storage and IPs, and reporting in an account of its own.
using 'main.bicep'

param imageTag = readEnvironmentVariable('SENDARIX_IMAGE_TAG', 'latest')
param adminSshPublicKey = readEnvironmentVariable('SENDARIX_SSH_PUBLIC_KEY')

param smtpHostName = 'smtp.example.com'
param heloName = 'mta.example.com'
param spfInclude = 'spf.example.com'
param feedbackAddresses = ['fbl@feedback.example.com']

param zones = ['1', '2', '3']

// D8s_v5 takes four NICs: one per egress IP.
param silos = { count: 6, vmSize: 'Standard_D8s_v5' }
param frontEnds = { count: 4, vmSize: 'Standard_D4s_v5' }

param egressIps = [
  { name: 'shared-1', pool: 'shared' }
  { name: 'shared-2', pool: 'shared' }
  { name: 'shared-3', pool: 'shared', tier: 1 }
  { name: 'dedicated-1', pool: 'dedicated', status: 'cold' }
]
param defaultPool = 'shared'

param storageSku = 'Standard_ZRS'
param separateReportingAccount = true
param registrySku = 'Premium'
param logRetentionDays = 90

// Six silos share each IP's 64,000 SNAT ports.
param portsPerSilo = 10000

param alertThresholds = {
  bounceRatePercent: 3
  deferralRatePercent: 20
  minimumOutcomes: 1000
  queueDepth: 100000
  queueOldestAgeSeconds: 600
  webhookFailures: 200
}
param alertEmails = []
