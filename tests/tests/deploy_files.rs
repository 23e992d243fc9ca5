//! The deployment files under `deploy/` cannot be applied here (no cluster, no Docker
//! daemon, no nginx), so they are checked structurally: every YAML parses, each resource
//! has the fields its kind requires, the resources point at each other by the right names
//! and ports, and the config files they carry are valid rest-mcp config files whose
//! `${VAR}`s are all supplied.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use rest_mcp::cli::config::file::ConfigFile;
use serde_json::Value;

fn deploy(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../deploy")
        .join(path)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(deploy(path)).unwrap_or_else(|e| panic!("read deploy/{path}: {e}"))
}

/// A YAML file as JSON values (one per document).
fn yaml(path: &str) -> Value {
    let value: Value =
        yaml_serde::from_str(&read(path)).unwrap_or_else(|e| panic!("deploy/{path}: {e}"));
    value
}

/// `value` at a `/`-separated pointer, which must be there.
#[track_caller]
fn at<'a>(value: &'a Value, pointer: &str) -> &'a Value {
    value
        .pointer(pointer)
        .unwrap_or_else(|| panic!("missing {pointer} in {value}"))
}

#[track_caller]
fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    at(value, pointer)
        .as_str()
        .unwrap_or_else(|| panic!("{pointer} is not a string"))
}

/// Every `${VAR}` in `text`.
fn variables(text: &str) -> Vec<String> {
    text.split("${")
        .skip(1)
        .filter_map(|rest| rest.split_once('}'))
        .map(|(name, _)| name.split(":-").next().unwrap_or(name).to_owned())
        .collect()
}

/// A config file rest-mcp accepts (its keys checked by rest-mcp's own parser), serving
/// several APIs statelessly on port 8080.
#[track_caller]
fn check_config(text: &str, name: &str) -> ConfigFile {
    let file = ConfigFile::parse(text, name).unwrap_or_else(|e| panic!("{e}"));
    assert!(file.apis.len() >= 2, "{name}: several [[apis]]");
    let http = file.http.as_ref().expect("[http]");
    assert_eq!(
        http.get("stateless").and_then(|v| v.as_bool()),
        Some(true),
        "{name}: stateless replicas"
    );
    assert_eq!(
        http.get("listen").and_then(|v| v.as_str()),
        Some("0.0.0.0:8080"),
        "{name}"
    );
    file
}

fn kubernetes(kind: &str) -> Value {
    let file = match kind {
        "ConfigMap" => "configmap.yaml",
        "Secret" => "secret.yaml",
        "Deployment" => "deployment.yaml",
        "Service" => "service.yaml",
        _ => "hpa.yaml",
    };
    let value = yaml(&format!("kubernetes/{file}"));
    assert_eq!(text(&value, "/kind"), kind);
    assert!(!text(&value, "/apiVersion").is_empty());
    assert!(!text(&value, "/metadata/name").is_empty());
    value
}

#[test]
fn kubernetes_resources_fit_together() {
    let config_map = kubernetes("ConfigMap");
    let secret = kubernetes("Secret");
    let deployment = kubernetes("Deployment");
    let service = kubernetes("Service");
    let hpa = kubernetes("HorizontalPodAutoscaler");
    assert_eq!(text(&deployment, "/apiVersion"), "apps/v1");
    assert_eq!(text(&hpa, "/apiVersion"), "autoscaling/v2");

    // The Deployment selects its own pods, and the Service selects them too.
    let labels = at(&deployment, "/spec/template/metadata/labels")
        .as_object()
        .unwrap();
    for selector in [
        at(&deployment, "/spec/selector/matchLabels"),
        at(&service, "/spec/selector"),
    ] {
        for (key, value) in selector.as_object().unwrap() {
            assert_eq!(labels.get(key), Some(value), "selector {key}");
        }
    }
    assert!(
        service
            .pointer("/spec/sessionAffinity")
            .is_none_or(|a| a == "None")
    );

    let containers = at(&deployment, "/spec/template/spec/containers")
        .as_array()
        .unwrap();
    assert_eq!(containers.len(), 1);
    let container = &containers[0];
    assert!(!text(container, "/image").is_empty());
    let port_name = text(container, "/ports/0/name");
    assert_eq!(at(container, "/ports/0/containerPort"), 8080);
    for probe in ["/readinessProbe", "/livenessProbe"] {
        assert_eq!(
            text(container, &format!("{probe}/httpGet/path")),
            "/healthz"
        );
        assert_eq!(text(container, &format!("{probe}/httpGet/port")), port_name);
    }
    assert_eq!(text(&service, "/spec/ports/0/targetPort"), port_name);
    assert!(
        !text(container, "/resources/requests/cpu").is_empty(),
        "the HPA needs a CPU request"
    );

    // The config comes from the ConfigMap, the variables from the Secret.
    let mount = text(container, "/volumeMounts/0/mountPath");
    let volume = text(container, "/volumeMounts/0/name");
    let volumes = at(&deployment, "/spec/template/spec/volumes")
        .as_array()
        .unwrap();
    let config_volume = volumes
        .iter()
        .find(|v| v["name"] == volume)
        .expect("the mounted volume");
    assert_eq!(
        text(config_volume, "/configMap/name"),
        text(&config_map, "/metadata/name")
    );
    let args: Vec<&str> = at(container, "/args")
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let config_at = args
        .iter()
        .position(|a| *a == "--config")
        .map(|i| args[i + 1])
        .expect("--config");
    let (dir, file_name) = config_at.rsplit_once('/').expect("a path");
    assert_eq!(dir, mount);
    let config = text(&config_map, &format!("/data/{file_name}"));
    check_config(config, "the ConfigMap's config");
    assert_eq!(
        text(container, "/envFrom/0/secretRef/name"),
        text(&secret, "/metadata/name")
    );
    let secrets = at(&secret, "/stringData").as_object().unwrap();
    for variable in variables(config) {
        assert!(
            secrets.contains_key(&variable),
            "${{{variable}}} is not in the Secret"
        );
    }
    // The image's default single spec is switched off: the config has [[apis]].
    let env = at(container, "/env").as_array().unwrap();
    assert!(
        env.iter()
            .any(|e| e["name"] == "OPENAPI_SPEC" && e["value"] == "")
    );

    // Draining (shutdown_grace) ends before Kubernetes kills the pod.
    let grace = at(
        &deployment,
        "/spec/template/spec/terminationGracePeriodSeconds",
    )
    .as_u64()
    .unwrap();
    assert!(
        config.contains("shutdown_grace = \"30s\"") && grace > 30,
        "{grace}"
    );
    assert_eq!(
        at(&deployment, "/spec/strategy/rollingUpdate/maxUnavailable"),
        0
    );

    assert_eq!(text(&hpa, "/spec/scaleTargetRef/kind"), "Deployment");
    assert_eq!(
        text(&hpa, "/spec/scaleTargetRef/name"),
        text(&deployment, "/metadata/name")
    );
    let (min, max) = (
        at(&hpa, "/spec/minReplicas").as_u64().unwrap(),
        at(&hpa, "/spec/maxReplicas").as_u64().unwrap(),
    );
    assert!(1 <= min && min <= max, "{min}..{max}");
}

#[test]
fn the_compose_example_mounts_what_exists_and_sets_every_variable() {
    let compose = yaml("compose/compose.yaml");
    let service = at(&compose, "/services/rest-mcp");
    let command: Vec<&str> = at(service, "/command")
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let config_at = command
        .iter()
        .position(|a| *a == "--config")
        .map(|i| command[i + 1])
        .expect("--config");
    let volumes: Vec<&str> = at(service, "/volumes")
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mounted = volumes
        .iter()
        .find_map(|v| {
            let mut parts = v.split(':');
            let (host, container) = (parts.next()?, parts.next()?);
            (container == config_at).then_some(host)
        })
        .expect("the config file is mounted");
    let config = std::fs::read_to_string(deploy("compose").join(mounted))
        .expect("the mounted config exists");
    check_config(&config, "compose/rest-mcp.toml");
    let environment = at(service, "/environment").as_object().unwrap();
    for variable in variables(&config) {
        assert!(
            environment.contains_key(&variable),
            "${{{variable}}} is not set for the service"
        );
    }
    assert_eq!(at(service, "/environment/OPENAPI_SPEC"), "");
    assert!(at(service, "/deploy/replicas").as_u64().unwrap() >= 2);
    assert!(service.pointer("/healthcheck/test").is_some());
    assert!(
        Path::new(&deploy("compose"))
            .join(text(service, "/build/context"))
            .join("Dockerfile")
            .is_file()
    );

    let nginx = at(&compose, "/services/nginx");
    let conf = text(nginx, "/volumes/0").split(':').next().unwrap();
    assert!(deploy("compose").join(conf).is_file(), "{conf}");
    assert_eq!(
        text(nginx, "/depends_on/rest-mcp/condition"),
        "service_healthy"
    );
    for port in at(nginx, "/ports").as_array().unwrap() {
        assert!(
            port.as_str().unwrap().starts_with("127.0.0.1:"),
            "published on loopback only: {port}"
        );
    }
}

#[test]
fn the_nginx_example_streams_to_the_replicas() {
    let conf = read("nginx/rest-mcp.conf");
    let code: String = conf
        .lines()
        .map(|line| line.split('#').next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        code.matches('{').count(),
        code.matches('}').count(),
        "balanced braces"
    );
    for line in code.lines().map(str::trim).filter(|l| !l.is_empty()) {
        assert!(
            line.ends_with(';') || line.ends_with('{') || line == "}",
            "unterminated: {line}"
        );
    }
    let upstream = code
        .split("upstream ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("an upstream block");
    assert!(code.contains(&format!("proxy_pass http://{upstream};")));
    assert!(
        code.contains("server rest-mcp:8080"),
        "the replicas' port is rest-mcp's listen port"
    );
    for directive in [
        "location /mcp",
        "proxy_buffering off;",
        "proxy_http_version 1.1;",
        "location = /healthz",
    ] {
        assert!(code.contains(directive), "{directive}");
    }
}
