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

/// Builds the chart block of one finding from the probe points that carry its ID. The points
/// are sorted by finding ID, so the finding's run is found by binary search: a report of
/// hundreds of findings over millions of points does not filter every point per finding.
pub fn probe_chart(points: &[ProbePoint], finding: &Finding) -> Block {
    let start = points.partition_point(|point| point.finding_id.as_str() < finding.id.as_str());
    let end = start + points[start..].partition_point(|point| point.finding_id == finding.id);
    let mut probes: Vec<ChartPoint> =
        points[start..end].iter().map(|point| ChartPoint { ts_ns: point.ts_ns, port: point.port }).collect();
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

    #[test]
    fn chart_takes_only_its_finding() {
        // Sorted by ID in byte order, as the case returns them: F-1, F-10, F-2.
        let point = |id: &str, ts_ns: i64, port: u16| ProbePoint { finding_id: id.to_string(), ts_ns, port };
        let points = vec![point("F-1", 1, 22), point("F-10", 2, 80), point("F-10", 3, 81), point("F-2", 4, 443)];
        let mut finding = crate::report::tests::scan_finding();
        finding.id = "F-10".to_string();
        let Block::Chart(chart) = probe_chart(&points, &finding) else { panic!("a chart block") };
        assert_eq!(chart.probes_total, 2);
        let ports: Vec<u16> = chart.timeline.iter().map(|point| point.port).collect();
        assert_eq!(ports, vec![80, 81]);
    }
}
