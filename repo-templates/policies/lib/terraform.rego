# Helpers for policies over a terraform plan (`terraform show -json`).
package lib.terraform

import rego.v1

# Managed azurerm resources the plan creates or updates.
changes contains rc if {
	some rc in input.resource_changes
	rc.mode == "managed"
	startswith(rc.type, "azurerm_")
	some action in rc.change.actions
	action in {"create", "update"}
}

# The attribute is set to a non-empty string, or known only after apply.
set_or_unknown(rc, attr) if {
	value := rc.change.after[attr]
	is_string(value)
	value != ""
}

set_or_unknown(rc, attr) if rc.change.after_unknown[attr] == true

# A non-empty list of blocks (`customer_managed_key { ... }` is a list in plan JSON).
blocks(rc, attr) := list if {
	list := object.get(rc.change.after, attr, [])
	is_array(list)
	count(list) > 0
}
