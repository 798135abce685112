//! Every policy in repo-templates/policies denies a bad input and allows a good one.

mod gate_support;

use gate_support::*;
use serde_json::json;

fn storage(after_extra: serde_json::Value) -> serde_json::Value {
    let mut after =
        json!({ "name": "stapp", "tags": good_tags(), "public_network_access_enabled": false });
    after
        .as_object_mut()
        .unwrap()
        .extend(after_extra.as_object().unwrap().clone());
    change("azurerm_storage_account", "app", after)
}

#[test]
fn resource_missing_required_tags_is_denied_naming_the_missing_ones() {
    let mut tags = good_tags();
    tags.as_object_mut().unwrap().remove("costCenter");
    tags["owner"] = json!(" ");
    let report = eval_plan(
        "dev",
        plan(vec![change(
            "azurerm_resource_group",
            "rg",
            json!({ "name": "rg", "tags": tags }),
        )]),
    );
    assert_eq!(denied(&report), ["azure.required-tags"]);
    let message = &report.denials[0].message;
    assert!(message.contains("costCenter, owner"), "{message}");
    assert_eq!(report.denials[0].resource, "azurerm_resource_group.rg");
}

#[test]
fn resource_with_all_tags_or_without_a_tags_attribute_is_allowed() {
    let report = eval_plan(
        "dev",
        plan(vec![
            change(
                "azurerm_resource_group",
                "rg",
                json!({ "name": "rg", "tags": good_tags() }),
            ),
            change("azurerm_role_assignment", "ra", json!({ "scope": "/x" })),
        ]),
    );
    assert!(report.denials.is_empty(), "{:?}", report.denials);
}

#[test]
fn null_tags_are_denied() {
    let report = eval_plan(
        "dev",
        plan(vec![change(
            "azurerm_resource_group",
            "rg",
            json!({ "tags": null }),
        )]),
    );
    assert_eq!(denied(&report), ["azure.required-tags"]);
}

#[test]
fn storage_account_without_customer_managed_key_is_denied() {
    let report = eval_plan("dev", plan(vec![storage(json!({}))]));
    assert_eq!(denied(&report), ["azure.customer-managed-keys"]);
}

#[test]
fn storage_account_with_inline_or_separate_customer_managed_key_is_allowed() {
    let inline =
        storage(json!({ "customer_managed_key": [{ "key_vault_key_id": "https://kv/keys/k" }] }));
    assert!(eval_plan("dev", plan(vec![inline])).denials.is_empty());
    let separate = change(
        "azurerm_storage_account_customer_managed_key",
        "cmk",
        json!({ "key_name": "k" }),
    );
    assert!(
        eval_plan("dev", plan(vec![storage(json!({})), separate]))
            .denials
            .is_empty()
    );
}

#[test]
fn disks_need_a_disk_encryption_set_known_or_computed() {
    let bare = change(
        "azurerm_managed_disk",
        "data",
        json!({ "tags": good_tags(), "disk_encryption_set_id": null }),
    );
    assert_eq!(
        denied(&eval_plan("dev", plan(vec![bare]))),
        ["azure.customer-managed-keys"]
    );
    let aks = change(
        "azurerm_kubernetes_cluster",
        "aks",
        json!({ "tags": good_tags() }),
    );
    assert_eq!(
        denied(&eval_plan("dev", plan(vec![aks]))),
        ["azure.customer-managed-keys"]
    );
    let mut computed = change(
        "azurerm_managed_disk",
        "data",
        json!({ "tags": good_tags() }),
    );
    computed["change"]["after_unknown"] = json!({ "disk_encryption_set_id": true });
    let known = change(
        "azurerm_kubernetes_cluster",
        "aks",
        json!({ "tags": good_tags(), "disk_encryption_set_id": "/des/1" }),
    );
    assert!(
        eval_plan("dev", plan(vec![computed, known]))
            .denials
            .is_empty()
    );
}

#[test]
fn registry_needs_encryption_and_key_vault_needs_premium_with_hsm_keys() {
    let acr = |enc: serde_json::Value| {
        change(
            "azurerm_container_registry",
            "acr",
            json!({ "tags": good_tags(), "encryption": enc }),
        )
    };
    let kv = |sku: &str| {
        change(
            "azurerm_key_vault",
            "kv",
            json!({ "tags": good_tags(), "sku_name": sku }),
        )
    };
    let key = |kind: &str| {
        change(
            "azurerm_key_vault_key",
            "k",
            json!({ "tags": good_tags(), "key_type": kind }),
        )
    };
    let bad = eval_plan(
        "dev",
        plan(vec![acr(json!([])), kv("standard"), key("RSA")]),
    );
    assert_eq!(denied(&bad), ["azure.customer-managed-keys"; 3]);
    let good = eval_plan(
        "dev",
        plan(vec![
            acr(json!([{ "key_vault_key_id": "k" }])),
            kv("premium"),
            key("RSA-HSM"),
        ]),
    );
    assert!(good.denials.is_empty(), "{:?}", good.denials);
}

#[test]
fn public_ip_in_prd_is_denied_unless_tagged_intended() {
    let pip = |tags: serde_json::Value| change("azurerm_public_ip", "pip", json!({ "tags": tags }));
    assert_eq!(
        denied(&eval_plan("prd", plan(vec![pip(good_tags())]))),
        ["prd.no-public-ingress"]
    );
    let mut intended = good_tags();
    intended["publicIngress"] = json!("intended");
    assert!(
        eval_plan("prd", plan(vec![pip(intended)]))
            .denials
            .is_empty()
    );
    assert!(
        eval_plan("dev", plan(vec![pip(good_tags())]))
            .denials
            .is_empty()
    );
}

#[test]
fn public_network_access_in_prd_is_denied() {
    let open =
        storage(json!({ "public_network_access_enabled": true, "customer_managed_key": [{}] }));
    assert_eq!(
        denied(&eval_plan("prd", plan(vec![open]))),
        ["prd.no-public-ingress"]
    );
}

#[test]
fn deleted_resources_are_not_judged() {
    let mut gone = change("azurerm_storage_account", "old", json!(null));
    gone["change"]["actions"] = json!(["delete"]);
    assert!(eval_plan("prd", plan(vec![gone])).denials.is_empty());
}

#[test]
fn image_outside_platform_registry_is_denied() {
    let c = GOOD_CONTAINER.replace(
        "crplatformuaenorth.azurecr.io/team/app",
        "docker.io/library/nginx",
    );
    assert_eq!(
        denied(&eval_yaml("dev", &deployment("web", "", &c))),
        ["k8s.platform-registry"]
    );
    let lookalike = GOOD_CONTAINER.replace(
        "crplatformuaenorth.azurecr.io/",
        "crplatformuaenorth.azurecr.io.evil.com/",
    );
    assert_eq!(
        denied(&eval_yaml("dev", &deployment("web", "", &lookalike))),
        ["k8s.platform-registry"]
    );
}

#[test]
fn latest_tag_or_no_tag_is_denied_and_a_registry_port_is_not_a_tag() {
    let latest = GOOD_CONTAINER.replace(
        ":1.2.3@sha256:0000000000000000000000000000000000000000000000000000000000000000",
        ":latest",
    );
    assert_eq!(
        denied(&eval_yaml("dev", &deployment("web", "", &latest))),
        ["k8s.no-latest"]
    );
    let untagged = GOOD_CONTAINER.replace(
        ":1.2.3@sha256:0000000000000000000000000000000000000000000000000000000000000000",
        "",
    );
    assert_eq!(
        denied(&eval_yaml("dev", &deployment("web", "", &untagged))),
        ["k8s.no-latest"]
    );
    let digest_only = GOOD_CONTAINER.replace(":1.2.3@", "@");
    assert!(
        eval_yaml("dev", &deployment("web", "", &digest_only))
            .denials
            .is_empty()
    );
}

#[test]
fn good_deployment_is_allowed_and_tag_without_digest_warns_only_in_prd() {
    assert!(
        eval_yaml("prd", &deployment("web", "", GOOD_CONTAINER))
            .denials
            .is_empty()
    );
    let tag_only = GOOD_CONTAINER.replace(
        "@sha256:0000000000000000000000000000000000000000000000000000000000000000",
        "",
    );
    let prd = eval_yaml("prd", &deployment("web", "", &tag_only));
    assert!(prd.denials.is_empty());
    assert_eq!(prd.warnings.len(), 1);
    assert_eq!(prd.warnings[0].policy, "k8s.digest-pinned");
    assert!(
        eval_yaml("dev", &deployment("web", "", &tag_only))
            .warnings
            .is_empty()
    );
}

#[test]
fn container_without_limits_is_denied_naming_what_is_missing() {
    let c = "        image: crplatformuaenorth.azurecr.io/team/app:1.0.0\n        resources:\n          requests: {cpu: 100m, memory: 128Mi}\n          limits: {memory: 256Mi}\n";
    let report = eval_yaml("dev", &deployment("web", "", c));
    assert_eq!(denied(&report), ["k8s.requests-and-limits"]);
    assert!(
        report.denials[0].message.contains("limits.cpu"),
        "{}",
        report.denials[0].message
    );
    assert_eq!(report.denials[0].resource, "Deployment/apps/web");
}

#[test]
fn gpu_workload_must_tolerate_the_taint_and_request_a_gpu() {
    let gpu_container =
        GOOD_CONTAINER.replace("memory: 256Mi}", "memory: 256Mi, nvidia.com/gpu: 1}");
    let toleration =
        "      tolerations:\n      - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}\n";
    let selector = "      nodeSelector: {nvidia.com/gpu.present: \"true\"}\n";
    let no_toleration = eval_yaml("dev", &deployment("llm", "", &gpu_container));
    assert_eq!(denied(&no_toleration), ["k8s.gpu-workloads"]);
    let no_request = eval_yaml(
        "dev",
        &deployment("llm", &format!("{selector}{toleration}"), GOOD_CONTAINER),
    );
    assert_eq!(denied(&no_request), ["k8s.gpu-workloads"]);
    let good = eval_yaml(
        "dev",
        &deployment("llm", &format!("{selector}{toleration}"), &gpu_container),
    );
    assert!(good.denials.is_empty(), "{:?}", good.denials);
}

#[test]
fn privileged_container_is_denied_in_any_workload_kind() {
    let c = format!("{GOOD_CONTAINER}        securityContext: {{privileged: true}}\n");
    assert_eq!(
        denied(&eval_yaml("dev", &deployment("web", "", &c))),
        ["k8s.no-privileged"]
    );
    let nested: String = c.lines().map(|l| format!("    {l}\n")).collect();
    let cron = format!(
        "kind: CronJob\nmetadata: {{name: job, namespace: apps}}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - name: app\n{nested}"
    );
    assert_eq!(denied(&eval_yaml("dev", &cron)), ["k8s.no-privileged"]);
    let unprivileged = format!("{GOOD_CONTAINER}        securityContext: {{privileged: false}}\n");
    assert!(
        eval_yaml("dev", &deployment("web", "", &unprivileged))
            .denials
            .is_empty()
    );
}

const PUBLIC_INGRESS: &str = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  namespace: apps\nANNOTATIONS\nspec:\n  ingressClassName: CLASS\n";

fn ingress(class: &str, annotations: &str) -> String {
    PUBLIC_INGRESS
        .replace("CLASS", class)
        .replace("ANNOTATIONS\n", annotations)
}

#[test]
fn public_ingress_in_prd_is_denied_unless_annotated_intended() {
    assert_eq!(
        denied(&eval_yaml("prd", &ingress("nginx-public", ""))),
        ["prd.no-public-ingress"]
    );
    let intended = "  annotations:\n    bosun.io/public-ingress: intended\n";
    assert!(
        eval_yaml("prd", &ingress("nginx-public", intended))
            .denials
            .is_empty()
    );
    assert!(
        eval_yaml("prd", &ingress("nginx-internal", ""))
            .denials
            .is_empty()
    );
    assert!(
        eval_yaml("stg", &ingress("nginx-public", ""))
            .denials
            .is_empty()
    );
    let no_class = "kind: Ingress\nmetadata: {name: web}\nspec: {}\n";
    assert_eq!(
        denied(&eval_yaml("prd", no_class)),
        ["prd.no-public-ingress"]
    );
}

#[test]
fn public_load_balancer_service_in_prd_is_denied_and_internal_one_allowed() {
    let svc = |ann: &str| {
        format!(
            "kind: Service\nmetadata:\n  name: lb\n  annotations: {{{ann}}}\nspec:\n  type: LoadBalancer\n"
        )
    };
    assert_eq!(
        denied(&eval_yaml("prd", &svc(""))),
        ["prd.no-public-ingress"]
    );
    let internal = "service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"";
    assert!(eval_yaml("prd", &svc(internal)).denials.is_empty());
}

#[test]
fn real_aws_plan_fixture_parses_and_no_azure_policy_applies() {
    let json = include_str!("fixtures/terraform/trivy-testdata-plan.aws.json");
    let report = eval_plan("prd", json.to_owned());
    assert!(
        report.denials.is_empty() && report.warnings.is_empty(),
        "{report:?}"
    );
}

#[test]
fn real_aws_plan_fixture_rewritten_to_azure_types_is_judged() {
    let json = include_str!("fixtures/terraform/trivy-testdata-plan.aws.json").replace(
        "\"type\":\"aws_s3_bucket\"",
        "\"type\":\"azurerm_storage_account\"",
    );
    let report = eval_plan("dev", json);
    let policies = denied(&report);
    assert!(
        policies.contains(&"azure.customer-managed-keys".to_owned()),
        "{policies:?}"
    );
    assert!(
        policies.contains(&"azure.required-tags".to_owned()),
        "{policies:?}"
    );
}
