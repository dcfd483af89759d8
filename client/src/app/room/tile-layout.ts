/** Tile shapes a layout may choose from (width / height), widest first. */
const ASPECTS = [16 / 9, 4 / 3, 1];

export interface TileLayout {
  readonly columns: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The largest equal tiles for `count` people in a `width` × `height` area:
 * every column count and tile shape is tried, the biggest tile area wins. So
 * two people sit side by side on a laptop and one above the other on a
 * phone, and nobody's tile leaves the screen.
 */
export function tileLayout(count: number, width: number, height: number, gap: number): TileLayout {
  let best: TileLayout = { columns: 1, width: 0, height: 0 };
  for (let columns = 1; columns <= Math.max(1, count); columns++) {
    const rows = Math.ceil(count / columns);
    const cellWidth = (width - gap * (columns - 1)) / columns;
    const cellHeight = (height - gap * (rows - 1)) / rows;
    for (const aspect of ASPECTS) {
      const tileWidth = Math.min(cellWidth, cellHeight * aspect);
      if (tileWidth * (tileWidth / aspect) > best.width * best.height) {
        best = { columns, width: Math.floor(tileWidth), height: Math.floor(tileWidth / aspect) };
      }
    }
  }
  return best;
}

/**
 * How many of `count` tiles one grid page holds so that none is smaller than
 * `least`: all of them when they fit, else as many as do (at least one).
 */
export function tilesPerPage(
  count: number,
  width: number,
  height: number,
  gap: number,
  least: { readonly width: number; readonly height: number },
): number {
  for (let shown = count; shown > 1; shown--) {
    const layout = tileLayout(shown, width, height, gap);
    if (layout.width >= least.width && layout.height >= least.height) return shown;
  }
  return 1;
}
