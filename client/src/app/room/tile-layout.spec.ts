import { tileLayout } from './tile-layout';

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
});
