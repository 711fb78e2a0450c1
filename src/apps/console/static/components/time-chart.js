// @ts-check
/* Overture operator console: a chart of figures per day (uPlot, vendored), with the same figures as a table. */
import { html, useEffect, useRef } from '../lib/html.js';
import uPlot from 'uplot';
import { daySeconds } from '../lib/kpi-format.js';

/**
 * @typedef {{ label: string, values: (number | null | undefined)[], color: string, bars?: boolean }} ChartSeries
 * @typedef {{
 *   testId: string, title: string, description: string, days: string[], series: ChartSeries[],
 *   format: (value: number) => string, axisFormat?: (value: number) => string, yTicks?: number[]
 * }} TimeChartProps  `format` words a figure (legend, table); `axisFormat`, if given, the y axis's ticks, at the steps `yTicks` (uPlot's own otherwise)
 */

let styleLoaded = false;
/** uPlot's own style sheet (its legend and cursor), linked once: a file of this origin, as the CSP allows. */
function loadChartStyle() {
  if (styleLoaded) return;
  styleLoaded = true;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = '/vendor/uplot.css';
  document.head.append(link);
}

const HALF_DAY = 12 * 60 * 60;

/**
 * uPlot's options for days on the x axis (UTC days, as the API counts them) and formatted values on the y axis.
 * @param {TimeChartProps} props
 * @param {number} width
 * @returns {uPlot.Options}
 */
function chartOptions(props, width) {
  const bars = uPlot.paths.bars ? uPlot.paths.bars({ size: [0.6, 40] }) : undefined;
  return {
    width,
    height: 220,
    // Days are UTC days: labelled as such whatever the browser's time zone.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    scales: {
      // Half a day either side, so a single day's bar is drawn whole.
      x: { time: true, range: (_u, min, max) => [min - HALF_DAY, max + HALF_DAY] },
      y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] },
    },
    axes: [{}, { size: 70, incrs: props.yTicks, values: (_u, splits) => splits.map((v) => (props.axisFormat ?? props.format)(v)) }],
    series: [
      { label: 'day', value: (_u, ts) => (ts === null ? '' : new Date(ts * 1000).toISOString().slice(0, 10)) },
      ...props.series.map((s) => ({
        label: s.label,
        stroke: s.color,
        width: 2,
        fill: s.bars ? `${s.color}55` : undefined,
        paths: s.bars ? bars : undefined,
        points: { show: !s.bars },
        value: (/** @type {uPlot} */ _u, /** @type {number | null} */ v) => (v === null ? '–' : props.format(v)),
      })),
    ],
  };
}

/**
 * A chart of figures per day, drawn by uPlot on a canvas, above a table of the same figures (the chart's text
 * alternative: a screen reader reads the table, the canvas is described by its caption).
 * @param {TimeChartProps} props
 */
export function TimeChart(props) {
  const holder = useRef(/** @type {HTMLDivElement | null} */ (null));
  useEffect(() => {
    const el = holder.current;
    if (!el || props.days.length === 0) return undefined;
    loadChartStyle();
    /** @type {uPlot.AlignedData} */
    const data = [props.days.map(daySeconds), ...props.series.map((s) => s.values.map((v) => (v === undefined ? null : v)))];
    const widthOf = () => Math.max(320, Math.min(el.clientWidth || 640, 960));
    const plot = new uPlot(chartOptions(props, widthOf()), data, el);
    // The chart follows its box's width (a narrower window, a side-by-side layout that wraps).
    const resize = new ResizeObserver(() => plot.width !== widthOf() && plot.setSize({ width: widthOf(), height: plot.height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [props.days, props.series]);
  const captionId = `${props.testId}-caption`;
  return html`<figure class="kpi-chart" data-testid=${props.testId}>
    <figcaption id=${captionId}>${props.title}</figcaption>
    ${
      props.days.length === 0
        ? html`<p class="hint">No runs in this period.</p>`
        : html`<div
              ref=${holder}
              class="kpi-chart-canvas"
              role="img"
              aria-labelledby=${captionId}
              aria-describedby=${`${props.testId}-desc`}
            ></div>
            <p id=${`${props.testId}-desc`} class="hint">${props.description} The table below holds the same figures.</p>
            <details class="kpi-chart-table">
              <summary>${props.title}: the figures</summary>
              <table data-testid=${`${props.testId}-table`}>
                <caption class="visually-hidden">
                  ${props.title}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Day</th>
                    ${props.series.map((s) => html`<th scope="col">${s.label}</th>`)}
                  </tr>
                </thead>
                <tbody>
                  ${props.days.map(
                    (day, i) =>
                      html`<tr>
                        <th scope="row">${day}</th>
                        ${props.series.map((s) => {
                          const v = s.values[i];
                          return html`<td>${v === null || v === undefined ? '–' : props.format(v)}</td>`;
                        })}
                      </tr>`,
                  )}
                </tbody>
              </table>
            </details>`
    }
  </figure>`;
}
