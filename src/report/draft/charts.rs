//! Chart data of a finding, taken from the probe points of the report input: the probes in
//! time order (sampled evenly when there are too many to draw) and the most-probed ports.

use std::collections::BTreeMap;

use crate::model::Finding;
use crate::report::text::technique_protocol;
use crate::report::{Block, ChartPoint, PortCount, ProbeChart, ProbePoint};

/// Maximum number of probes kept for the timeline. Above it the dots of a 480 pt wide chart
/// overlap anyway, and the report JSON stays small.
pub const MAX_TIMELINE_POINTS: usize = 2000;

/// Number of ports in the bar chart.
pub const TOP_PORTS: usize = 10;

/// Builds the chart block of one finding from the probe points that carry its ID.
pub fn probe_chart(points: &[ProbePoint], finding: &Finding) -> Block {
    let mut probes: Vec<ChartPoint> = points
        .iter()
        .filter(|point| point.finding_id == finding.id)
        .map(|point| ChartPoint { ts_ns: point.ts_ns, port: point.port })
        .collect();
    probes.sort_unstable_by_key(|point| (point.ts_ns, point.port));

    let mut per_port: BTreeMap<u16, u64> = BTreeMap::new();
    for point in &probes {
        *per_port.entry(point.port).or_insert(0) += 1;
    }
    let mut top_ports: Vec<PortCount> = per_port.into_iter().map(|(port, probes)| PortCount { port, probes }).collect();
    top_ports.sort_by(|a, b| b.probes.cmp(&a.probes).then(a.port.cmp(&b.port)));
    top_ports.truncate(TOP_PORTS);

    Block::Chart(ProbeChart {
        finding_id: finding.id.clone(),
        protocol: technique_protocol(finding.technique).to_string(),
        probes_total: probes.len() as u64,
        timeline: sample_evenly(probes, MAX_TIMELINE_POINTS),
        top_ports,
    })
}

/// Keeps at most `max` points, evenly spaced by position, the first and last included.
fn sample_evenly(points: Vec<ChartPoint>, max: usize) -> Vec<ChartPoint> {
    if points.len() <= max || max < 2 {
        return points;
    }
    let last = points.len() - 1;
    (0..max).map(|i| points[i * last / (max - 1)]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_keeps_first_and_last() {
        let points: Vec<ChartPoint> = (0..10_000).map(|i| ChartPoint { ts_ns: i, port: (i % 100) as u16 }).collect();
        let sample = sample_evenly(points, 2000);
        assert_eq!(sample.len(), 2000);
        assert_eq!(sample.first().map(|p| p.ts_ns), Some(0));
        assert_eq!(sample.last().map(|p| p.ts_ns), Some(9_999));
        assert!(sample.windows(2).all(|pair| pair[0].ts_ns < pair[1].ts_ns));
    }
}
