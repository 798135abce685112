# Images come only from the platform registry and never run `latest`
# (explicitly, or implicitly by having neither tag nor digest). In prd, an
# image not pinned by digest is a warning.
package kubernetes.images

import data.lib.kubernetes as k8s
import rego.v1

registry := "crplatformuaenorth.azurecr.io"

deny contains {"policy": "k8s.platform-registry", "msg": msg} if {
	some c in k8s.all_containers
	not startswith(c.image, concat("", [registry, "/"]))
	msg := sprintf("container %q runs %q, not from %s", [c.name, c.image, registry])
}

deny contains {"policy": "k8s.no-latest", "msg": msg} if {
	some c in k8s.all_containers
	tag(c.image) == "latest"
	msg := sprintf("container %q runs the latest tag: %q", [c.name, c.image])
}

deny contains {"policy": "k8s.no-latest", "msg": msg} if {
	some c in k8s.all_containers
	not tag(c.image)
	not contains(c.image, "@")
	msg := sprintf("container %q runs %q with neither tag nor digest, which means latest", [c.name, c.image])
}

warn contains {"policy": "k8s.digest-pinned", "msg": msg} if {
	data.bosun.environment == "prd"
	some c in k8s.all_containers
	not contains(c.image, "@")
	msg := sprintf("container %q runs %q, not pinned by digest", [c.name, c.image])
}

# The tag of `registry/path/name:tag@digest`, if any (a registry port is not a tag).
tag(image) := t if {
	name := split(image, "@")[0]
	parts := split(name, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	t := split(last, ":")[1]
}
