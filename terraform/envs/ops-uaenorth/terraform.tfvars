# ops-uaenorth: hub, firewall, shared registry and state account, and the ops
# cluster that runs bosun.
#
# Subscription, tenant and object IDs are placeholders of the right shape:
# replace them with the platform's real IDs before the first apply.
# flux_ssh_private_key_base64 is never set here: the runner provides
# TF_VAR_flux_ssh_private_key_base64 from Key Vault.

subscription_id = "0f5df229-e32d-481f-9619-2b85e112f88c"
tenant_id       = "d46cd1ca-51a9-4163-b369-5ba0b2c95085"
environment     = "ops"
location        = "uaenorth"

tags = {
  createdBy   = "terraform"
  environment = "ops"
  project     = "aks-platform"
  region      = "uaenorth"
  costCenter  = "CC-PLAT-4100"
  owner       = "platform-team"
}

# Address plan (no overlaps; pods/services of every cluster live in 172.16.0.0/12):
#   hub 10.10.0.0/22 | ops 10.20.0.0/16 | dev 10.30.0.0/16 | stg 10.40.0.0/16 | prd 10.50.0.0/16
hub = {
  address_space        = "10.10.0.0/22"
  firewall_subnet_cidr = "10.10.0.0/26"
  firewall_sku_tier    = "Premium"
  firewall_zones       = ["1", "2", "3"]
}

network = {
  address_space         = "10.20.0.0/16"
  aks_node_cidr         = "10.20.0.0/20"
  private_endpoint_cidr = "10.20.16.0/24"
}

spokes = {
  dev = {
    address_space         = "10.30.0.0/16"
    aks_node_cidrs        = ["10.30.0.0/20", "10.30.16.0/22"]
    private_endpoint_cidr = "10.30.20.0/24"
  }
  stg = {
    address_space         = "10.40.0.0/16"
    aks_node_cidrs        = ["10.40.0.0/20", "10.40.16.0/22"]
    private_endpoint_cidr = "10.40.20.0/24"
  }
  prd = {
    address_space         = "10.50.0.0/16"
    aks_node_cidrs        = ["10.50.0.0/20", "10.50.16.0/22"]
    private_endpoint_cidr = "10.50.20.0/24"
  }
}

log_retention_days = 90

key_vault_name             = "kv-ops-uaen-plat"
acr_name                   = "acrplatformuaen"
state_storage_account_name = "stplattfstateuaen01"

terraform_runner_principal_id = "fed6ae6f-4180-462b-aa0d-36db574264c2"
terraform_runner_principal_ids = {
  ops = "fed6ae6f-4180-462b-aa0d-36db574264c2"
  dev = "d09e5396-2597-43a0-bfef-c936c4b7a634"
  stg = "f6a6bcc7-c2dc-4184-8411-9e5847efef75"
  prd = "51cda1f2-9f45-434b-8ebe-095f9d983177"
}

acr_push_principal_ids = {
  image-builder = "a50d670e-e074-4822-9d94-14e7fff9aeb6"
}

aks = {
  kubernetes_version     = "1.33"
  admin_group_object_ids = ["dd1486e1-937f-438d-827b-1f743b5cbf6b"]
  pod_cidr               = "172.20.0.0/16"
  service_cidr           = "172.24.0.0/20"
  dns_service_ip         = "172.24.0.10"

  maintenance_window = {
    day_of_week    = "Sunday"
    start_time     = "02:00"
    duration_hours = 4
  }

  system_pool = {
    vm_size   = "Standard_D4ds_v5"
    min_count = 2
    max_count = 3
    zones     = ["1", "2", "3"]
  }

  cpu_pool = {
    vm_size   = "Standard_D8ds_v5"
    min_count = 2
    max_count = 4
    zones     = ["1", "2", "3"]
  }
}

flux_git_repository_url = "ssh://git@github.com/platform-team/bosun.git"
