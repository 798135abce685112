# Helpers for policies over one rendered Kubernetes object (`input`).
package lib.kubernetes

import rego.v1

workload_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}

# The pod spec of a Pod, a workload's template, or a CronJob's job template.
pod_spec := input.spec if input.kind == "Pod"

pod_spec := input.spec.template.spec if input.kind in workload_kinds

pod_spec := input.spec.jobTemplate.spec.template.spec if input.kind == "CronJob"

# Containers and init containers (the ones that carry resources).
containers contains c if {
	some field in ["containers", "initContainers"]
	some c in object.get(pod_spec, field, [])
}

# Every container, ephemeral ones included (for image and privilege checks).
all_containers contains c if some c in containers

all_containers contains c if some c in object.get(pod_spec, "ephemeralContainers", [])

annotations := object.get(object.get(input, "metadata", {}), "annotations", {})
