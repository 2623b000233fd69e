//! Vector charts of a finding, drawn with lines and rectangles: a probe timeline (time
//! since the first probe on x, destination port on y, one dot per probe) and a horizontal
//! bar chart of the most-probed ports. A finding without probe data gets a sentence saying
//! so instead.

use super::pdf_layout::{FontStyle, PageWriter, Rgb3, CONTENT_WIDTH, LINE_SPACING, MARGIN_X};
use super::text::{format_duration, format_ts, group_thousands, port_with_service};
use super::ProbeChart;

const CAPTION_SIZE: f32 = 9.0;
const LABEL_SIZE: f32 = 7.0;
/// Height of the timeline's plot area.
const PLOT_HEIGHT: f32 = 130.0;
/// Room left of the plot for the port labels.
const AXIS_LABEL_WIDTH: f32 = 38.0;
/// Side of the square drawn for one probe.
const DOT_SIZE: f32 = 3.0;
/// Number of labelled ticks on the time axis, and about one more than on the port axis.
const TICKS: usize = 5;
const BAR_HEIGHT: f32 = 9.0;
const BAR_GAP: f32 = 3.5;
/// Room left of the bars for the port names.
const BAR_LABEL_WIDTH: f32 = 110.0;

const FRAME: Rgb3 = Rgb3(0.55, 0.55, 0.55);
const GRID: Rgb3 = Rgb3(0.88, 0.88, 0.88);
const DOT: Rgb3 = Rgb3(0.75, 0.22, 0.1);
const BAR: Rgb3 = Rgb3(0.16, 0.36, 0.62);

/// Draws both charts of a finding, or the sentence that it has no probe data.
pub fn draw_chart(writer: &mut PageWriter, chart: &ProbeChart) {
    if chart.timeline.is_empty() {
        let text = format!("No probe data for {} in this report, so no probe chart is drawn.", chart.finding_id);
        caption(writer, &text, Rgb3::MUTED);
        writer.y -= 6.0;
        return;
    }
    draw_timeline(writer, chart);
    writer.y -= 10.0;
    draw_bars(writer, chart);
    writer.y -= 8.0;
}

fn caption(writer: &mut PageWriter, text: &str, color: Rgb3) {
    let line_height = CAPTION_SIZE * LINE_SPACING;
    for line in writer.fonts.wrap(FontStyle::Bold, CAPTION_SIZE, text, CONTENT_WIDTH) {
        writer.ensure(line_height);
        let baseline = writer.y - CAPTION_SIZE;
        writer.text(MARGIN_X, baseline, FontStyle::Bold, CAPTION_SIZE, &line, color);
        writer.y -= line_height;
    }
}

fn draw_timeline(writer: &mut PageWriter, chart: &ProbeChart) {
    let (Some(first), Some(last)) = (chart.timeline.first(), chart.timeline.last()) else {
        return;
    };
    let caption_height = 2.0 * CAPTION_SIZE * LINE_SPACING;
    let axis_height = 2.0 * LABEL_SIZE * LINE_SPACING + 6.0;
    writer.ensure(caption_height + PLOT_HEIGHT + axis_height + 16.0);
    writer.y -= 4.0;
    let sampled = if chart.timeline.len() as u64 == chart.probes_total {
        String::new()
    } else {
        format!(", {} of them drawn, sampled evenly in time order", group_thousands(chart.timeline.len() as u64))
    };
    caption(
        writer,
        &format!(
            "Probe timeline of {}: {} probes{sampled}; time since the first probe against the destination port",
            chart.finding_id,
            group_thousands(chart.probes_total)
        ),
        Rgb3::TEXT,
    );
    // Room for the axis title above the plot.
    writer.y -= LABEL_SIZE * LINE_SPACING + 4.0;

    let fonts = writer.fonts;
    let left = MARGIN_X + AXIS_LABEL_WIDTH;
    let width = CONTENT_WIDTH - AXIS_LABEL_WIDTH - 4.0;
    let top = writer.y;
    let bottom = top - PLOT_HEIGHT;
    let span_ns = last.ts_ns.saturating_sub(first.ts_ns).max(0);
    let low_port = chart.timeline.iter().map(|point| point.port).min().unwrap_or(0);
    let high_port = chart.timeline.iter().map(|point| point.port).max().unwrap_or(0);
    let (port_min, port_max) = if low_port == high_port {
        (f32::from(low_port) - 1.0, f32::from(high_port) + 1.0)
    } else {
        (f32::from(low_port), f32::from(high_port))
    };
    // Dots keep half their size inside the frame.
    let inset = DOT_SIZE;
    let x_of = |ts_ns: i64| -> f32 {
        if span_ns == 0 {
            return left + width / 2.0;
        }
        let fraction = (ts_ns.saturating_sub(first.ts_ns)) as f64 / span_ns as f64;
        left + inset + (width - 2.0 * inset) * fraction as f32
    };
    let y_of =
        |port: f32| -> f32 { bottom + inset + (PLOT_HEIGHT - 2.0 * inset) * (port - port_min) / (port_max - port_min) };

    for port in port_ticks(port_min, port_max) {
        let y = y_of(port);
        writer.line((left, y), (left + width, y), 0.3, GRID);
        let label = format!("{}", port.round().max(0.0) as u32);
        let label_x = left - 4.0 - fonts.width(FontStyle::Regular, LABEL_SIZE, &label);
        writer.text(label_x, y - LABEL_SIZE / 3.0, FontStyle::Regular, LABEL_SIZE, &label, Rgb3::MUTED);
    }
    writer.text(MARGIN_X, top + 4.0, FontStyle::Regular, LABEL_SIZE, "destination port", Rgb3::MUTED);
    writer.stroke_rect(left, bottom, width, PLOT_HEIGHT, FRAME);

    let half = DOT_SIZE / 2.0;
    let dots: Vec<(f32, f32, f32, f32)> = chart
        .timeline
        .iter()
        .map(|point| (x_of(point.ts_ns) - half, y_of(f32::from(point.port)) - half, DOT_SIZE, DOT_SIZE))
        .collect();
    writer.fill_rects(&dots, DOT);

    let label_y = bottom - 4.0 - LABEL_SIZE;
    for tick in 0..TICKS {
        let offset_ns = (span_ns as f64 * tick as f64 / (TICKS - 1) as f64) as i64;
        let x = x_of(first.ts_ns.saturating_add(offset_ns));
        writer.line((x, bottom), (x, bottom - 3.0), 0.5, FRAME);
        let label = if offset_ns == 0 { "0 s".to_string() } else { format_duration(offset_ns) };
        let label_width = fonts.width(FontStyle::Regular, LABEL_SIZE, &label);
        let label_x = (x - label_width / 2.0).clamp(MARGIN_X, MARGIN_X + CONTENT_WIDTH - label_width);
        writer.text(label_x, label_y, FontStyle::Regular, LABEL_SIZE, &label, Rgb3::MUTED);
        if span_ns == 0 {
            break;
        }
    }
    let axis_title = format!("time since the first probe at {} (UTC)", format_ts(first.ts_ns));
    let title_width = fonts.width(FontStyle::Regular, LABEL_SIZE, &axis_title);
    let title_y = label_y - LABEL_SIZE * LINE_SPACING - 1.0;
    writer.text(left + (width - title_width) / 2.0, title_y, FontStyle::Regular, LABEL_SIZE, &axis_title, Rgb3::MUTED);
    writer.y = title_y - 4.0;
}

/// Returns round port values between `min` and `max` for the axis labels: multiples of the
/// step of 1, 2 or 5 times a power of ten nearest to a quarter of the range.
fn port_ticks(min: f32, max: f32) -> Vec<f32> {
    let rough = ((max - min) / (TICKS - 1) as f32).max(1.0);
    let magnitude = 10f32.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|factor| factor * magnitude)
        .min_by(|a, b| (a - rough).abs().total_cmp(&(b - rough).abs()))
        .unwrap_or(rough);
    let mut ticks = Vec::new();
    let mut value = (min / step).ceil() * step;
    while value <= max && ticks.len() <= 2 * TICKS {
        ticks.push(value);
        value += step;
    }
    ticks
}

fn draw_bars(writer: &mut PageWriter, chart: &ProbeChart) {
    if chart.top_ports.is_empty() {
        return;
    }
    let caption_height = 2.0 * CAPTION_SIZE * LINE_SPACING;
    let rows_height = chart.top_ports.len() as f32 * (BAR_HEIGHT + BAR_GAP);
    writer.ensure(caption_height + rows_height);
    caption(writer, &format!("Most-probed ports of {} (probes per port)", chart.finding_id), Rgb3::TEXT);
    writer.y -= 3.0;

    let fonts = writer.fonts;
    let max_probes = chart.top_ports.iter().map(|entry| entry.probes).max().unwrap_or(1).max(1);
    let bar_left = MARGIN_X + BAR_LABEL_WIDTH;
    let count_room = 50.0;
    let bar_room = CONTENT_WIDTH - BAR_LABEL_WIDTH - count_room;
    let top = writer.y;
    writer.line((bar_left, top), (bar_left, top - rows_height), 0.5, FRAME);
    for (row, entry) in chart.top_ports.iter().enumerate() {
        let y = top - (row as f32 + 1.0) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP / 2.0;
        let label = fonts.fit_line(
            FontStyle::Regular,
            LABEL_SIZE + 0.5,
            &port_with_service(&chart.protocol, entry.port),
            BAR_LABEL_WIDTH - 8.0,
        );
        let baseline = y + (BAR_HEIGHT - LABEL_SIZE) / 2.0 + 1.0;
        let label_x = bar_left - 6.0 - fonts.width(FontStyle::Regular, LABEL_SIZE + 0.5, &label);
        writer.text(label_x, baseline, FontStyle::Regular, LABEL_SIZE + 0.5, &label, Rgb3::TEXT);
        let length = (bar_room * entry.probes as f32 / max_probes as f32).max(1.0);
        writer.fill_rect(bar_left, y, length, BAR_HEIGHT, BAR);
        let count = group_thousands(entry.probes);
        writer.text(bar_left + length + 4.0, baseline, FontStyle::Regular, LABEL_SIZE + 0.5, &count, Rgb3::MUTED);
    }
    writer.y = top - rows_height - 2.0;
}

#[cfg(test)]
mod tests {
    use super::port_ticks;

    #[test]
    fn port_ticks_are_round() {
        assert_eq!(port_ticks(1.0, 1000.0), vec![200.0, 400.0, 600.0, 800.0, 1000.0]);
        assert_eq!(port_ticks(21.0, 443.0), vec![100.0, 200.0, 300.0, 400.0]);
        assert_eq!(port_ticks(79.0, 81.0), vec![79.0, 80.0, 81.0]);
        assert_eq!(port_ticks(0.0, 65535.0), vec![0.0, 20000.0, 40000.0, 60000.0]);
    }
}
