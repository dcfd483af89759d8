import { tileLayout, tilesPerPage } from './tile-layout';

describe('tileLayout', () => {
  it('puts two people side by side on a laptop and one above the other on a phone', () => {
    expect(tileLayout(2, 1264, 660, 8).columns).toBe(2);
    expect(tileLayout(2, 374, 640, 8).columns).toBe(1);
  });

  it('keeps every tile inside the area', () => {
    for (const [count, width, height] of [
      [1, 800, 600],
      [3, 374, 640],
      [7, 1264, 660],
      [12, 374, 640],
      [50, 1264, 660],
    ]) {
      const { columns, width: tileWidth, height: tileHeight } = tileLayout(count, width, height, 8);
      const rows = Math.ceil(count / columns);
      expect(columns * tileWidth + (columns - 1) * 8).toBeLessThanOrEqual(width);
      expect(rows * tileHeight + (rows - 1) * 8).toBeLessThanOrEqual(height);
      expect(tileWidth).toBeGreaterThan(0);
    }
  });

  it('uses wide tiles when there is room for them', () => {
    const { width, height } = tileLayout(1, 1280, 700, 8);
    expect(width / height).toBeCloseTo(16 / 9, 1);
  });

  it('gives the grid pages when not everyone fits at a useful size, and none when they do', () => {
    const least = { width: 160, height: 90 };
    expect(tilesPerPage(6, 374, 640, 8, least)).toBe(6);
    expect(tilesPerPage(20, 374, 640, 8, least)).toBe(12);
    expect(tilesPerPage(6, 374, 200, 8, least)).toBe(4);
    expect(tilesPerPage(3, 100, 60, 8, least)).toBe(1);
    const { width, height } = tileLayout(12, 374, 640, 8);
    expect(width).toBeGreaterThanOrEqual(160);
    expect(height).toBeGreaterThanOrEqual(90);
  });
});
