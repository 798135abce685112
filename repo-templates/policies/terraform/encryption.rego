# Customer-managed keys: storage accounts, managed disks and AKS node disks
# (disk encryption set), container registries, and Key Vault (premium SKU
# with HSM-backed keys, the keys every other CMK points at).
package terraform.encryption

import data.lib.terraform as tf
import rego.v1

deny contains finding(rc, "a storage account without a customer-managed key") if {
	some rc in tf.changes
	rc.type == "azurerm_storage_account"
	not storage_cmk(rc)
}

deny contains finding(rc, "a managed disk without a disk encryption set") if {
	some rc in tf.changes
	rc.type == "azurerm_managed_disk"
	not tf.set_or_unknown(rc, "disk_encryption_set_id")
}

deny contains finding(rc, "an AKS cluster whose node disks have no disk encryption set") if {
	some rc in tf.changes
	rc.type == "azurerm_kubernetes_cluster"
	not tf.set_or_unknown(rc, "disk_encryption_set_id")
}

deny contains finding(rc, "a container registry without customer-managed key encryption") if {
	some rc in tf.changes
	rc.type == "azurerm_container_registry"
	not acr_cmk(rc)
}

deny contains finding(rc, "a Key Vault that is not premium (no HSM-backed customer-managed keys)") if {
	some rc in tf.changes
	rc.type == "azurerm_key_vault"
	rc.change.after.sku_name != "premium"
}

deny contains finding(rc, "a Key Vault key that is not HSM-backed (RSA-HSM or EC-HSM)") if {
	some rc in tf.changes
	rc.type == "azurerm_key_vault_key"
	not endswith(rc.change.after.key_type, "-HSM")
}

finding(rc, what) := {
	"policy": "azure.customer-managed-keys",
	"resource": rc.address,
	"msg": sprintf("%s is %s", [rc.address, what]),
}

storage_cmk(rc) if tf.blocks(rc, "customer_managed_key")

# A separate azurerm_storage_account_customer_managed_key in the same module.
storage_cmk(rc) if {
	some other in input.resource_changes
	other.type == "azurerm_storage_account_customer_managed_key"
	object.get(other, "module_address", "") == object.get(rc, "module_address", "")
}

acr_cmk(rc) if {
	some block in tf.blocks(rc, "encryption")
	not block.enabled == false
}
