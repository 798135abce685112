# No public IPs and no public network access in prd, unless tagged
# `publicIngress = "intended"` (Azure tag names cannot hold `/`, so the
# Kubernetes annotation `bosun.io/public-ingress` becomes this tag).
package terraform.public

import data.lib.terraform as tf
import rego.v1

deny contains {"policy": "prd.no-public-ingress", "resource": rc.address, "msg": msg} if {
	data.bosun.environment == "prd"
	some rc in tf.changes
	rc.type == "azurerm_public_ip"
	not intended(rc)
	msg := sprintf("%s is a public IP in prd; tag it publicIngress = \"intended\" if it is meant to be", [rc.address])
}

deny contains {"policy": "prd.no-public-ingress", "resource": rc.address, "msg": msg} if {
	data.bosun.environment == "prd"
	some rc in tf.changes
	rc.change.after.public_network_access_enabled == true
	not intended(rc)
	msg := sprintf("%s allows public network access in prd; tag it publicIngress = \"intended\" if it is meant to", [rc.address])
}

intended(rc) if rc.change.after.tags.publicIngress == "intended"
