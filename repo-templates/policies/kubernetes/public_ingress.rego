# In prd, no public Ingress (any class not ending in `-internal`, or no
# class, which is the cluster default) and no public LoadBalancer Service,
# unless annotated `bosun.io/public-ingress: "intended"`.
package kubernetes.public_ingress

import data.lib.kubernetes as k8s
import rego.v1

deny contains {"policy": "prd.no-public-ingress", "msg": msg} if {
	data.bosun.environment == "prd"
	input.kind == "Ingress"
	not intended
	class := ingress_class
	not endswith(class, "-internal")
	msg := sprintf("Ingress %q uses the public class %q in prd; annotate it bosun.io/public-ingress: \"intended\" if it is meant to be public", [input.metadata.name, class])
}

deny contains {"policy": "prd.no-public-ingress", "msg": msg} if {
	data.bosun.environment == "prd"
	input.kind == "Service"
	input.spec.type == "LoadBalancer"
	object.get(k8s.annotations, "service.beta.kubernetes.io/azure-load-balancer-internal", "false") != "true"
	not intended
	msg := sprintf("Service %q is a public LoadBalancer in prd; annotate it bosun.io/public-ingress: \"intended\" if it is meant to be public", [input.metadata.name])
}

intended if k8s.annotations["bosun.io/public-ingress"] == "intended"

ingress_class := object.get(
	object.get(input, "spec", {}), "ingressClassName",
	object.get(k8s.annotations, "kubernetes.io/ingress.class", "(cluster default)"),
)
