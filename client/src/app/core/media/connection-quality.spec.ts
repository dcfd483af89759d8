import { judge, QualityMeter } from './connection-quality';

/** A getStats() report as the browser gives it: a map of stats by id. */
function report(...stats: Array<Record<string, unknown>>): RTCStatsReport {
  return new Map(stats.map((entry) => [String(entry['id']), entry])) as unknown as RTCStatsReport;
}

describe('connection quality', () => {
  it('judges loss, jitter and frame rate as people notice them', () => {
    expect(judge({ loss: 0, jitter: 0.01, fps: 24 })).toBe('good');
    expect(judge({ loss: 0.05, jitter: 0.01, fps: 24 })).toBe('fair');
    expect(judge({ loss: 0.2, jitter: 0.01, fps: 24 })).toBe('poor');
    expect(judge({ loss: 0, jitter: 0.06, fps: undefined })).toBe('fair');
    expect(judge({ loss: 0, jitter: 0.2, fps: undefined })).toBe('poor');
    expect(judge({ loss: 0, jitter: undefined, fps: 8 })).toBe('fair');
    expect(judge({ loss: 0, jitter: undefined, fps: 2 })).toBe('poor');
  });

  it('measures loss over the last interval only, across the audio and video streams', () => {
    const meter = new QualityMeter();
    const first = meter.measure([
      report({ id: 'a', type: 'inbound-rtp', kind: 'audio', packetsReceived: 1000, packetsLost: 500, jitter: 0.01 }),
      report({ id: 'v', type: 'inbound-rtp', kind: 'video', packetsReceived: 1000, packetsLost: 0, framesPerSecond: 20 }),
    ]);
    expect(first.arrival.loss).toBeCloseTo(0.2, 5);
    const second = meter.measure([
      report({ id: 'a', type: 'inbound-rtp', kind: 'audio', packetsReceived: 1100, packetsLost: 500, jitter: 0.01 }),
      report({ id: 'v', type: 'inbound-rtp', kind: 'video', packetsReceived: 1100, packetsLost: 0, framesPerSecond: 20 }),
      report({ id: 't', type: 'transport', bytesReceived: 5 }),
    ]);
    expect(second.arrival).toEqual({ loss: 0, jitter: 0.01, fps: 20 });
    expect(second.quality).toBe('good');
    const third = meter.measure([
      report({ id: 'a', type: 'inbound-rtp', kind: 'audio', packetsReceived: 1150, packetsLost: 550, jitter: 0.02 }),
    ]);
    expect(third.arrival.loss).toBeCloseTo(0.5, 5);
    expect(third.quality).toBe('poor');
  });
});
