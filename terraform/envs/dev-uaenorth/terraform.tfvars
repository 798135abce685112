# dev-uaenorth. Subscription, tenant and object IDs are placeholders of the
# right shape: replace them with the platform's real IDs before the first
# apply. flux_ssh_private_key_base64 is never set here: the runner provides
# TF_VAR_flux_ssh_private_key_base64 from Key Vault.

subscription_id = "2e27f21f-2404-490b-922c-1a6b226c4828"
tenant_id       = "d46cd1ca-51a9-4163-b369-5ba0b2c95085"
environment     = "dev"
location        = "uaenorth"

tags = {
  createdBy   = "terraform"
  environment = "dev"
  project     = "aks-platform"
  region      = "uaenorth"
  costCenter  = "CC-PLAT-4110"
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

# Must match spokes.dev in envs/ops-uaenorth/terraform.tfvars.
network = {
  address_space         = "10.30.0.0/16"
  aks_node_cidr         = "10.30.0.0/20"
  aks_gpu_cidr          = "10.30.16.0/22"
  private_endpoint_cidr = "10.30.20.0/24"
}

log_retention_days = 30

key_vault_name                = "kv-dev-uaen-plat"
terraform_runner_principal_id = "d09e5396-2597-43a0-bfef-c936c4b7a634"

aks = {
  kubernetes_version     = "1.33"
  admin_group_object_ids = ["2e62d67d-adad-418f-a59f-c641df19923b"]
  pod_cidr               = "172.21.0.0/16"
  service_cidr           = "172.24.16.0/20"
  dns_service_ip         = "172.24.16.10"

  maintenance_window = {
    day_of_week    = "Monday"
    start_time     = "02:00"
    duration_hours = 4
  }

  # dev is small: one zone, few nodes.
  system_pool = {
    vm_size   = "Standard_D4ds_v5"
    min_count = 1
    max_count = 2
    zones     = ["1"]
  }

  cpu_pool = {
    vm_size   = "Standard_D8ds_v5"
    min_count = 1
    max_count = 3
    zones     = ["1"]
  }
}

# One H100 at most, cut into seven 1g slices for experiments; scales to zero.
gpu_pool = {
  vm_size     = "Standard_NC40ads_H100_v5"
  mig_profile = "MIG1g"
  min_count   = 0
  max_count   = 1
  zones       = ["1"]
}

flux_git_repository_url = "ssh://git@github.com/platform-team/bosun.git"
