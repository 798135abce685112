# Every container and init container sets CPU and memory requests and limits.
package kubernetes.resources

import data.lib.kubernetes as k8s
import rego.v1

deny contains {"policy": "k8s.requests-and-limits", "msg": msg} if {
	some c in k8s.containers
	missing := [sprintf("%s.%s", [kind, resource]) |
		some kind in ["requests", "limits"]
		some resource in ["cpu", "memory"]
		not has(c, kind, resource)
	]
	count(missing) > 0
	msg := sprintf("container %q sets no %s", [c.name, concat(", ", missing)])
}

has(c, kind, resource) if {
	value := c.resources[kind][resource]
	value != ""
}
