// A small deployment: two silos and two front-ends on 2-core VMs, one egress IP, one storage account, no zones.
// Around a few hundred messages a second; start here and grow the node counts.
using 'main.bicep'

param imageTag = readEnvironmentVariable('SENDARIX_IMAGE_TAG', 'latest')
param adminSshPublicKey = readEnvironmentVariable('SENDARIX_SSH_PUBLIC_KEY')

param smtpHostName = 'smtp.example.com'
param heloName = 'mta1.example.com'
param spfInclude = 'spf.example.com'

param silos = { count: 2, vmSize: 'Standard_D2s_v5' }
param frontEnds = { count: 2, vmSize: 'Standard_D2s_v5' }

param egressIps = [
  { name: 'shared-1', pool: 'shared' }
]

param storageSku = 'Standard_LRS'
param separateReportingAccount = false
param registrySku = 'Basic'
param portsPerSilo = 16000

param alertEmails = []
