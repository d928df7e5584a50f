/**
 * Turns benchmark figures into bench/RESULTS.md and the bar chart bench/chart.svg.
 */
import { format, ratio } from './harness.js';

/** A markdown table. */
export function table(head: string[], rows: (string | number)[][]): string {
  const align = head.map((_, i) => (i === 0 ? '---' : '---:'));
  const line = (cells: (string | number)[]): string =>
    `| ${cells.map((cell) => (typeof cell === 'number' ? format(cell) : cell)).join(' | ')} |`;
  return [line(head), `| ${align.join(' | ')} |`, ...rows.map(line)].join('\n');
}

/** `✔` or `✘` with the figure and its target. */
export function verdict(met: boolean, text: string): string {
  return `${met ? '✔' : '✘'} ${text}`;
}

export { format, ratio };

export interface ChartGroup {
  label: string;
  /** Bars: name → ratio to the physical limit (1 = the limit). */
  bars: Record<string, number>;
}

const COLORS = ['#2f6fdf', '#e0803a', '#4aa564', '#9a5fc7', '#c94a4a'];

/** A grouped bar chart of ratios to the physical limit, as SVG text. */
export function barChart(title: string, groups: ChartGroup[]): string {
  const names = [...new Set(groups.flatMap((group) => Object.keys(group.bars)))];
  const barWidth = 22;
  const groupWidth = names.length * barWidth + 30;
  const height = 260;
  const top = 40;
  const plot = 170;
  const left = 50;
  const width = left + groups.length * groupWidth + 180;
  // The scale reaches the largest bar (at least 1.2×), in steps of a quarter or a half.
  const largest = Math.max(1.2, ...groups.flatMap((group) => Object.values(group.bars)));
  const step = largest > 2 ? 0.5 : 0.25;
  const scale = Math.ceil(largest / step) * step;
  const y = (value: number): number => top + plot - value * (plot / scale);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">${escape(title)}</text>`,
  ];
  for (let tick = 0; tick <= scale + 1e-9; tick += step) {
    parts.push(
      `<line x1="${left}" x2="${left + groups.length * groupWidth}" y1="${y(tick)}" y2="${y(tick)}" stroke="${tick === 1 ? '#888' : '#e4e4e4'}"/>`,
      `<text x="${left - 6}" y="${y(tick) + 4}" text-anchor="end">${tick.toFixed(2)}×</text>`,
    );
  }
  groups.forEach((group, g) => {
    const x0 = left + g * groupWidth + 15;
    names.forEach((name, n) => {
      const value = group.bars[name];
      if (value === undefined) return;
      const x = x0 + n * barWidth;
      parts.push(
        `<rect x="${x}" y="${y(value)}" width="${barWidth - 4}" height="${top + plot - y(value)}" fill="${COLORS[n % COLORS.length]}"><title>${escape(name)}: ${value.toFixed(2)}×</title></rect>`,
        `<text x="${x + (barWidth - 4) / 2}" y="${y(value) - 3}" text-anchor="middle" font-size="9">${value.toFixed(2)}</text>`,
      );
    });
    parts.push(
      `<text x="${x0 + (names.length * barWidth) / 2}" y="${top + plot + 16}" text-anchor="middle">${escape(group.label)}</text>`,
    );
  });
  names.forEach((name, n) => {
    const x = left + groups.length * groupWidth + 10;
    parts.push(
      `<rect x="${x}" y="${top + n * 18}" width="12" height="12" fill="${COLORS[n % COLORS.length]}"/>`,
      `<text x="${x + 18}" y="${top + n * 18 + 10}">${escape(name)}</text>`,
    );
  });
  parts.push(
    `<text x="${left}" y="${height - 12}" fill="#555">Throughput as a ratio of the physical limit (raw echo over the same socket); higher is better.</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
