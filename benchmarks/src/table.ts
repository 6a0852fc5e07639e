/** A plain-text table: right-aligned numbers, left-aligned words, no terminal tricks. */

export type Align = 'left' | 'right';

export interface Column {
  readonly title: string;
  readonly align: Align;
}

export function renderTable(columns: readonly Column[], rows: readonly string[][]): string {
  const widths = columns.map((c, i) =>
    Math.max(c.title.length, ...rows.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => {
        const width = widths[i]!;
        return columns[i]!.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(columns.map((c) => c.title)), rule, ...rows.map(line)].join('\n');
}
