locals {
  # Pods per node on every pool. Azure CNI Overlay gives each node a /24 of
  # pod_cidr, so this is about kubelet density, not IP space.
  max_pods = 110

  # The control plane identity joins nodes to these subnets and manages the
  # routes and internal load balancers in them. Keys are static so that
  # for_each works while the IDs are still unknown.
  network_scopes = merge(
    {
      node_subnet = var.node_subnet_id
      route_table = var.route_table_id
    },
    var.gpu_pool == null ? {} : { gpu_subnet = var.gpu_pool.subnet_id },
  )

  maintenance_utc_offset = "+04:00"
}

# --- identities -------------------------------------------------------------

resource "azurerm_user_assigned_identity" "control_plane" {
  name                = "id-${var.name}-control-plane"
  location            = var.location
  resource_group_name = var.resource_group_name
  tags                = var.tags
}

resource "azurerm_user_assigned_identity" "kubelet" {
  name                = "id-${var.name}-kubelet"
  location            = var.location
  resource_group_name = var.resource_group_name
  tags                = var.tags
}

resource "azurerm_role_assignment" "control_plane_kubelet_operator" {
  scope                = azurerm_user_assigned_identity.kubelet.id
  role_definition_name = "Managed Identity Operator"
  principal_id         = azurerm_user_assigned_identity.control_plane.principal_id
}

resource "azurerm_role_assignment" "control_plane_network" {
  for_each = local.network_scopes

  scope                = each.value
  role_definition_name = "Network Contributor"
  principal_id         = azurerm_user_assigned_identity.control_plane.principal_id
}

resource "azurerm_role_assignment" "control_plane_private_dns" {
  scope                = var.private_dns_zone_id
  role_definition_name = "Private DNS Zone Contributor"
  principal_id         = azurerm_user_assigned_identity.control_plane.principal_id
}

resource "azurerm_role_assignment" "kubelet_acr_pull" {
  count = var.acr_id == null ? 0 : 1

  scope                = var.acr_id
  role_definition_name = "AcrPull"
  principal_id         = azurerm_user_assigned_identity.kubelet.principal_id
}

# --- customer-managed key for disks -----------------------------------------

resource "azurerm_disk_encryption_set" "this" {
  name                      = "des-${var.name}"
  location                  = var.location
  resource_group_name       = var.resource_group_name
  key_vault_key_id          = var.disk_encryption_key.versionless_id
  auto_key_rotation_enabled = true
  encryption_type           = "EncryptionAtRestWithPlatformAndCustomerKeys"
  tags                      = var.tags

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_role_assignment" "disk_encryption_set_key" {
  scope                = var.disk_encryption_key.resource_versionless_id
  role_definition_name = "Key Vault Crypto Service Encryption User"
  principal_id         = azurerm_disk_encryption_set.this.identity[0].principal_id
}

resource "azurerm_role_assignment" "control_plane_disk_encryption_set" {
  scope                = azurerm_disk_encryption_set.this.id
  role_definition_name = "Reader"
  principal_id         = azurerm_user_assigned_identity.control_plane.principal_id
}

# --- cluster ----------------------------------------------------------------

resource "azurerm_kubernetes_cluster" "this" {
  name                                = var.name
  location                            = var.location
  resource_group_name                 = var.resource_group_name
  node_resource_group                 = "${var.resource_group_name}-nodes"
  dns_prefix                          = var.name
  kubernetes_version                  = var.kubernetes_version
  sku_tier                            = var.sku_tier
  automatic_upgrade_channel           = var.automatic_upgrade_channel
  node_os_upgrade_channel             = var.node_os_upgrade_channel
  private_cluster_enabled             = true
  private_dns_zone_id                 = var.private_dns_zone_id
  private_cluster_public_fqdn_enabled = false
  local_account_disabled              = true
  role_based_access_control_enabled   = true
  azure_policy_enabled                = true
  oidc_issuer_enabled                 = true
  workload_identity_enabled           = true
  disk_encryption_set_id              = azurerm_disk_encryption_set.this.id
  image_cleaner_enabled               = true
  image_cleaner_interval_hours        = 48
  run_command_enabled                 = var.run_command_enabled
  cost_analysis_enabled               = true
  tags                                = var.tags

  default_node_pool {
    name                         = "system"
    temporary_name_for_rotation  = "systemtmp"
    vm_size                      = var.system_pool.vm_size
    vnet_subnet_id               = var.node_subnet_id
    zones                        = length(var.system_pool.zones) > 0 ? var.system_pool.zones : null
    auto_scaling_enabled         = true
    min_count                    = var.system_pool.min_count
    max_count                    = var.system_pool.max_count
    max_pods                     = local.max_pods
    only_critical_addons_enabled = true
    os_sku                       = "AzureLinux"
    os_disk_type                 = "Ephemeral"
    os_disk_size_gb              = var.system_pool.os_disk_size_gb
    host_encryption_enabled      = true
    node_public_ip_enabled       = false
    tags                         = var.tags

    upgrade_settings {
      max_surge                = "33%"
      drain_timeout_in_minutes = 30
    }
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.control_plane.id]
  }

  kubelet_identity {
    client_id                 = azurerm_user_assigned_identity.kubelet.client_id
    object_id                 = azurerm_user_assigned_identity.kubelet.principal_id
    user_assigned_identity_id = azurerm_user_assigned_identity.kubelet.id
  }

  azure_active_directory_role_based_access_control {
    tenant_id              = var.tenant_id
    admin_group_object_ids = var.admin_group_object_ids
    azure_rbac_enabled     = true
  }

  network_profile {
    network_plugin      = "azure"
    network_plugin_mode = "overlay"
    network_data_plane  = "cilium"
    network_policy      = "cilium"
    pod_cidr            = var.pod_cidr
    service_cidr        = var.service_cidr
    dns_service_ip      = var.dns_service_ip
    outbound_type       = "userDefinedRouting"
    load_balancer_sku   = "standard"
  }

  auto_scaler_profile {
    balance_similar_node_groups   = true
    expander                      = "least-waste"
    skip_nodes_with_local_storage = false
    skip_nodes_with_system_pods   = true
    scale_down_unneeded           = "10m"
    scale_down_delay_after_add    = "10m"
  }

  key_vault_secrets_provider {
    secret_rotation_enabled  = true
    secret_rotation_interval = "2m"
  }

  oms_agent {
    log_analytics_workspace_id      = var.log_analytics_workspace_id
    msi_auth_for_monitoring_enabled = true
  }

  microsoft_defender {
    log_analytics_workspace_id = var.log_analytics_workspace_id
  }

  maintenance_window_auto_upgrade {
    frequency   = "Weekly"
    interval    = 1
    day_of_week = var.maintenance_window.day_of_week
    start_time  = var.maintenance_window.start_time
    duration    = var.maintenance_window.duration_hours
    utc_offset  = local.maintenance_utc_offset
  }

  maintenance_window_node_os {
    frequency   = "Weekly"
    interval    = 1
    day_of_week = var.maintenance_window.day_of_week
    start_time  = var.maintenance_window.start_time
    duration    = var.maintenance_window.duration_hours
    utc_offset  = local.maintenance_utc_offset
  }

  storage_profile {
    blob_driver_enabled         = false
    disk_driver_enabled         = true
    file_driver_enabled         = true
    snapshot_controller_enabled = true
  }

  lifecycle {
    # The cluster autoscaler owns the node count.
    ignore_changes = [default_node_pool[0].node_count]
  }

  depends_on = [
    azurerm_role_assignment.control_plane_kubelet_operator,
    azurerm_role_assignment.control_plane_network,
    azurerm_role_assignment.control_plane_private_dns,
    azurerm_role_assignment.control_plane_disk_encryption_set,
    azurerm_role_assignment.disk_encryption_set_key,
  ]
}

# --- user node pools --------------------------------------------------------

resource "azurerm_kubernetes_cluster_node_pool" "cpu" {
  name                        = "cpu"
  temporary_name_for_rotation = "cputmp"
  kubernetes_cluster_id       = azurerm_kubernetes_cluster.this.id
  mode                        = "User"
  vm_size                     = var.cpu_pool.vm_size
  vnet_subnet_id              = var.node_subnet_id
  zones                       = length(var.cpu_pool.zones) > 0 ? var.cpu_pool.zones : null
  auto_scaling_enabled        = true
  min_count                   = var.cpu_pool.min_count
  max_count                   = var.cpu_pool.max_count
  max_pods                    = local.max_pods
  os_sku                      = "AzureLinux"
  os_disk_type                = "Ephemeral"
  os_disk_size_gb             = var.cpu_pool.os_disk_size_gb
  host_encryption_enabled     = true
  node_public_ip_enabled      = false
  node_labels                 = merge({ "workload-class" = "cpu" }, var.cpu_pool.node_labels)
  tags                        = var.tags

  upgrade_settings {
    max_surge                = "33%"
    drain_timeout_in_minutes = 30
  }

  lifecycle {
    ignore_changes = [node_count]
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "gpu" {
  count = var.gpu_pool == null ? 0 : 1

  name                        = "gpuh100"
  temporary_name_for_rotation = "gpuh100tmp"
  kubernetes_cluster_id       = azurerm_kubernetes_cluster.this.id
  mode                        = "User"
  vm_size                     = var.gpu_pool.vm_size
  gpu_instance                = var.gpu_pool.mig_profile
  vnet_subnet_id              = var.gpu_pool.subnet_id
  zones                       = length(var.gpu_pool.zones) > 0 ? var.gpu_pool.zones : null
  auto_scaling_enabled        = true
  min_count                   = var.gpu_pool.min_count
  max_count                   = var.gpu_pool.max_count
  max_pods                    = local.max_pods
  scale_down_mode             = "Delete"
  # Ubuntu: the AKS-managed NVIDIA driver and MIG partitioning are supported there.
  os_sku = "Ubuntu"
  # The NC H100 v5 local disk is NVMe, which AKS does not place ephemeral OS
  # disks on; the managed OS disk is encrypted with the customer-managed key
  # through the cluster's disk encryption set.
  os_disk_type            = "Managed"
  os_disk_size_gb         = var.gpu_pool.os_disk_size_gb
  host_encryption_enabled = true
  node_public_ip_enabled  = false
  node_taints             = ["nvidia.com/gpu=present:NoSchedule"]
  node_labels = {
    "workload-class"  = "gpu"
    "accelerator"     = "nvidia-h100"
    "gpu-mig-profile" = lower(var.gpu_pool.mig_profile)
  }
  tags = var.tags

  upgrade_settings {
    # GPU capacity is scarce: surge one node at a time.
    max_surge                = "1"
    drain_timeout_in_minutes = 60
  }

  lifecycle {
    ignore_changes = [node_count]
  }
}
