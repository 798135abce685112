# No privileged containers. The gpu-operator's drivers are the one intended
# exception, written in exceptions.yaml with an owner and an expiry.
package kubernetes.privileged

import data.lib.kubernetes as k8s
import rego.v1

deny contains {"policy": "k8s.no-privileged", "msg": msg} if {
	some c in k8s.all_containers
	c.securityContext.privileged == true
	msg := sprintf("container %q is privileged", [c.name])
}
