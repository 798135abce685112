# State of prd-uaenorth, in its own container of the platform state account
# (created by envs/ops-uaenorth). Only this environment's runner identity can
# read or write tfstate-prd. Authentication is OIDC (workload identity
# federation), data access Entra ID only: the account has shared keys disabled.
terraform {
  backend "azurerm" {
    resource_group_name  = "rg-tfstate-ops-uaenorth"
    storage_account_name = "stplattfstateuaen01"
    container_name       = "tfstate-prd"
    key                  = "prd-uaenorth.tfstate"
    use_oidc             = true
    use_azuread_auth     = true
  }
}
