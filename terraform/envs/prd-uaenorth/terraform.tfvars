# prd-uaenorth. Subscription, tenant and object IDs are placeholders of the
# right shape: replace them with the platform's real IDs before the first
# apply. flux_ssh_private_key_base64 is never set here: the runner provides
# TF_VAR_flux_ssh_private_key_base64 from Key Vault.

subscription_id = "c8bdc05d-0526-481c-af3f-39310baeeb1e"
tenant_id       = "d46cd1ca-51a9-4163-b369-5ba0b2c95085"
environment     = "prd"
location        = "uaenorth"

tags = {
  createdBy   = "terraform"
  environment = "prd"
  project     = "aks-platform"
  region      = "uaenorth"
  costCenter  = "CC-PLAT-4130"
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

# Must match spokes.prd in envs/ops-uaenorth/terraform.tfvars.
network = {
  address_space         = "10.50.0.0/16"
  aks_node_cidr         = "10.50.0.0/20"
  aks_gpu_cidr          = "10.50.16.0/22"
  private_endpoint_cidr = "10.50.20.0/24"
}

log_retention_days = 180

key_vault_name                = "kv-prd-uaen-plat"
terraform_runner_principal_id = "51cda1f2-9f45-434b-8ebe-095f9d983177"

aks = {
  kubernetes_version     = "1.33"
  admin_group_object_ids = ["130997d3-dc7f-4c3d-9566-49fb432007ea"]
  pod_cidr               = "172.23.0.0/16"
  service_cidr           = "172.24.48.0/20"
  dns_service_ip         = "172.24.48.10"

  maintenance_window = {
    day_of_week    = "Saturday"
    start_time     = "02:00"
    duration_hours = 4
  }

  # prd: zones 1-3 everywhere and headroom for a zone outage.
  system_pool = {
    vm_size   = "Standard_D8ds_v5"
    min_count = 3
    max_count = 5
    zones     = ["1", "2", "3"]
  }

  cpu_pool = {
    vm_size         = "Standard_D16ds_v5"
    min_count       = 3
    max_count       = 12
    zones           = ["1", "2", "3"]
    os_disk_size_gb = 256
  }
}

# Two 3g slices per H100; two nodes stay warm, up to eight under load.
gpu_pool = {
  vm_size     = "Standard_NC40ads_H100_v5"
  mig_profile = "MIG3g"
  min_count   = 2
  max_count   = 8
  zones       = ["1", "2", "3"]
}

flux_git_repository_url = "ssh://git@github.com/platform-team/bosun.git"
