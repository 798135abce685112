# stg-uaenorth. Subscription, tenant and object IDs are placeholders of the
# right shape: replace them with the platform's real IDs before the first
# apply. flux_ssh_private_key_base64 is never set here: the runner provides
# TF_VAR_flux_ssh_private_key_base64 from Key Vault.

subscription_id = "0980b8a6-a4fe-447f-81c4-02945af0a67b"
tenant_id       = "d46cd1ca-51a9-4163-b369-5ba0b2c95085"
environment     = "stg"
location        = "uaenorth"

tags = {
  createdBy   = "terraform"
  environment = "stg"
  project     = "aks-platform"
  region      = "uaenorth"
  costCenter  = "CC-PLAT-4120"
  owner       = "platform-team"
}

hub = {
  subscription_id         = "0f5df229-e32d-481f-9619-2b85e112f88c"
  resource_group_name     = "rg-hub-ops-uaenorth"
  virtual_network_name    = "vnet-hub-uaenorth"
  firewall_name           = "afw-hub-uaenorth"
  ops_address_space       = "10.20.0.0/16"
  acr_name                = "acrplatformuaen"
  acr_resource_group_name = "rg-shared-ops-uaenorth"
}

# Must match spokes.stg in envs/ops-uaenorth/terraform.tfvars.
network = {
  address_space         = "10.40.0.0/16"
  aks_node_cidr         = "10.40.0.0/20"
  aks_gpu_cidr          = "10.40.16.0/22"
  private_endpoint_cidr = "10.40.20.0/24"
}

log_retention_days = 60

key_vault_name                = "kv-stg-uaen-plat"
terraform_runner_principal_id = "f6a6bcc7-c2dc-4184-8411-9e5847efef75"

aks = {
  kubernetes_version     = "1.33"
  admin_group_object_ids = ["d6beae04-7707-4e11-9928-9baf9f1d1cbb"]
  pod_cidr               = "172.22.0.0/16"
  service_cidr           = "172.24.32.0/20"
  dns_service_ip         = "172.24.32.10"

  maintenance_window = {
    day_of_week    = "Wednesday"
    start_time     = "02:00"
    duration_hours = 4
  }

  # stg mirrors prd's shape (zones, MIG profile) at a smaller size, so
  # promotions are rehearsed on the same topology.
  system_pool = {
    vm_size   = "Standard_D4ds_v5"
    min_count = 2
    max_count = 3
    zones     = ["1", "2", "3"]
  }

  cpu_pool = {
    vm_size   = "Standard_D8ds_v5"
    min_count = 2
    max_count = 6
    zones     = ["1", "2", "3"]
  }
}

gpu_pool = {
  vm_size     = "Standard_NC40ads_H100_v5"
  mig_profile = "MIG3g"
  min_count   = 0
  max_count   = 2
  zones       = ["1", "2", "3"]
}

flux_git_repository_url = "ssh://git@github.com/platform-team/bosun.git"
