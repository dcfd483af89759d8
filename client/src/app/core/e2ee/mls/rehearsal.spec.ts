import { LocalMls } from './local-mls';
import { rehearseJoin } from './rehearsal';

describe('rehearseJoin', () => {
  it('runs every MLS step of a join once among throwaway members, who agree at the end', async () => {
    const steps = ['init', 'start', 'propose', 'confirm', 'join', 'processCommit', 'seal'] as const;
    const spies = steps.map((step) => spyOn(LocalMls.prototype, step).and.callThrough());
    const open = spyOn(LocalMls.prototype, 'open').and.callThrough();
    await expectAsync(rehearseJoin()).toBeResolved();
    const counts = Object.fromEntries(steps.map((step, index) => [step, spies[index].calls.count()]));
    expect(counts).toEqual({ init: 3, start: 1, propose: 2, confirm: 2, join: 2, processCommit: 1, seal: 1 });
    expect(open).toHaveBeenCalledTimes(1);
    const opened = await open.calls.mostRecent().returnValue;
    expect(opened?.from.peerId).withContext('the third member opened the first one’s message').toBe('member-0');
  });
});
