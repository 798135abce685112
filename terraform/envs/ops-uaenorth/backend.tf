# State lives in the platform state account that this very root creates
# (module.state_storage). The first apply of ops runs with a local backend
# and is then migrated here: see "Bootstrap" in terraform/README.md.
terraform {
  backend "azurerm" {
    resource_group_name  = "rg-tfstate-ops-uaenorth"
    storage_account_name = "stplattfstateuaen01"
    container_name       = "tfstate-ops"
    key                  = "ops-uaenorth.tfstate"
    use_oidc             = true
    use_azuread_auth     = true
  }
}
