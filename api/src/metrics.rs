//! Prometheus metrics: GraphQL requests and latencies by operation, WebSocket connections,
//! outbox events set aside undecoded, build info. Operation names come from clients, so the
//! label set is bounded.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

/// Distinct operation labels kept before new names are counted as `other`.
const MAX_OPERATION_LABELS: usize = 200;

/// The server's metrics registry.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    /// Open WebSocket connections.
    pub ws_connections: IntGauge,
    /// Outbox rows the relay could not decode and marked sent unpublished (each is logged with
    /// its id): anything above zero is an event subscribers never got.
    pub outbox_undecodable: IntCounter,
    seen: Mutex<HashSet<String>>,
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> anyhow::Result<Self> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "careline_graphql_requests_total",
                "GraphQL requests by operation and outcome",
            ),
            &["operation", "outcome"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "careline_graphql_request_duration_seconds",
                "GraphQL request latency by operation",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["operation"],
        )?;
        let ws_connections = IntGauge::new(
            "careline_websocket_connections",
            "Open GraphQL WebSocket connections",
        )?;
        let outbox_undecodable = IntCounter::new(
            "careline_outbox_undecodable_total",
            "Outbox events that did not decode and were set aside unpublished",
        )?;
        let build = IntGaugeVec::new(
            Opts::new("careline_build_info", "Build information"),
            &["version"],
        )?;
        build.with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(ws_connections.clone()))?;
        registry.register(Box::new(outbox_undecodable.clone()))?;
        registry.register(Box::new(build))?;
        Ok(Metrics {
            registry,
            requests,
            latency,
            ws_connections,
            outbox_undecodable,
            seen: Mutex::new(HashSet::new()),
        })
    }

    /// Records one GraphQL request.
    pub fn observe(&self, operation: Option<&str>, ok: bool, elapsed: Duration) {
        let label = self.label(operation);
        let outcome = if ok { "ok" } else { "error" };
        self.requests.with_label_values(&[&label, outcome]).inc();
        self.latency
            .with_label_values(&[&label])
            .observe(elapsed.as_secs_f64());
    }

    fn label(&self, operation: Option<&str>) -> String {
        let Some(name) = operation else {
            return "anonymous".to_owned();
        };
        let valid = !name.is_empty()
            && name.len() <= 64
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return "other".to_owned();
        }
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.contains(name) || seen.len() < MAX_OPERATION_LABELS {
            seen.insert(name.to_owned());
            name.to_owned()
        } else {
            "other".to_owned()
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        if TextEncoder::new()
            .encode(&self.registry.gather(), &mut buffer)
            .is_err()
        {
            return String::new();
        }
        String::from_utf8(buffer).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_labels_are_bounded_and_sanitised() {
        let metrics = Metrics::new().unwrap();
        metrics.observe(Some("Me"), true, Duration::from_millis(3));
        metrics.observe(Some("bad name{}"), true, Duration::from_millis(3));
        for i in 0..(MAX_OPERATION_LABELS + 10) {
            metrics.observe(Some(&format!("op{i}")), false, Duration::from_millis(1));
        }
        let text = metrics.render();
        assert!(text.contains(r#"careline_graphql_requests_total{operation="Me",outcome="ok"} 1"#));
        assert!(text.contains(r#"operation="other""#));
        assert!(!text.contains("bad name"));
        assert!(text.contains("careline_build_info"));
    }
}
