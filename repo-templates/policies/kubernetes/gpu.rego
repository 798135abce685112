# A GPU workload (one that asks for `nvidia.com/gpu`, selects GPU nodes, or
# tolerates the GPU taint) must both tolerate the `nvidia.com/gpu` taint and
# request `nvidia.com/gpu`, so it neither stays Pending nor lands on a GPU
# node without a GPU.
package kubernetes.gpu

import data.lib.kubernetes as k8s
import rego.v1

gpu := "nvidia.com/gpu"

deny contains {"policy": "k8s.gpu-workloads", "msg": msg} if {
	gpu_workload
	not tolerates_gpu_taint
	msg := sprintf("%s %q is a GPU workload but does not tolerate the %s:NoSchedule taint", [input.kind, input.metadata.name, gpu])
}

deny contains {"policy": "k8s.gpu-workloads", "msg": msg} if {
	gpu_workload
	not requests_gpu
	msg := sprintf("%s %q targets GPU nodes but no container requests %s", [input.kind, input.metadata.name, gpu])
}

requests_gpu if {
	some c in k8s.containers
	some kind in ["limits", "requests"]
	c.resources[kind][gpu]
}

selects_gpu_nodes if {
	some key, _ in object.get(k8s.pod_spec, "nodeSelector", {})
	startswith(key, gpu)
}

names_gpu_taint if {
	some t in object.get(k8s.pod_spec, "tolerations", [])
	t.key == gpu
}

gpu_workload if requests_gpu

gpu_workload if selects_gpu_nodes

gpu_workload if names_gpu_taint

tolerates_gpu_taint if {
	some t in object.get(k8s.pod_spec, "tolerations", [])
	t.key == gpu
	object.get(t, "effect", "") in {"", "NoSchedule"}
	object.get(t, "operator", "Equal") in {"Exists", "Equal"}
}

# A toleration without key and with Exists tolerates every taint.
tolerates_gpu_taint if {
	some t in object.get(k8s.pod_spec, "tolerations", [])
	not t.key
	t.operator == "Exists"
}
