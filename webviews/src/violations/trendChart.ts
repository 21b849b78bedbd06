/** Open violations per day as an inline SVG area chart (no library, no remote content). */
import type { TrendPoint } from '../../../server/src/shared/panelProtocol';
import { count, formatDay, svg } from './dom';

const WIDTH = 200;
const HEIGHT = 34;

export function trendChart(points: TrendPoint[]): SVGSVGElement {
    const max = Math.max(1, ...points.map((p) => p.open));
    const first = points[0];
    const last = points[points.length - 1];
    const label = first && last ? `Open violations per day, ${formatDay(first.day)} to ${formatDay(last.day)}: from ${count(first.open)} to ${count(last.open)}, at most ${count(max)}` : 'No trend data';
    const chart = svg('svg', { class: 'trend', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, width: WIDTH, height: HEIGHT, role: 'img', 'aria-label': label }, svg('title', {}, label));
    if (points.length < 2) return chart;
    const x = (i: number) => ((i / (points.length - 1)) * (WIDTH - 2) + 1).toFixed(1);
    const y = (open: number) => (HEIGHT - 2 - (open / max) * (HEIGHT - 6)).toFixed(1);
    const line = points.map((p, i) => `${x(i)},${y(p.open)}`).join(' ');
    chart.append(
        svg('polygon', { class: 'trend-area', points: `1,${HEIGHT - 1} ${line} ${WIDTH - 1},${HEIGHT - 1}` }),
        svg('polyline', { class: 'trend-line', points: line }),
        svg('circle', { class: 'trend-dot', cx: x(points.length - 1), cy: y(last.open), r: 2.5 }),
    );
    return chart;
}
