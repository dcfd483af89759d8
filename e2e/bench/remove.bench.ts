import { expect, test } from '@playwright/test';
import { decodesFrom, keysOpenAfterRemove, peerIdOf } from '../support/decoding';
import { join, newHostLinks, withWrongSecret } from '../support/participants';
import { summary } from './figures';

const RUNS = Number(process.env.RAUM_BENCH_RUNS ?? 10);

/** A host removes Ben, again and again, while Eve holds Ben's frame secrets (see keysOpenAfterRemove). */
test('time from "Remove" until the removed person’s keys decode nothing new', async ({ browser }) => {
  test.setTimeout(RUNS * 60_000);
  const links = newHostLinks();
  const ada = await join(browser, links.host, 'Ada');
  const eve = await join(browser, withWrongSecret(links.guest), 'Eve');
  await ada.page.getByRole('button', { name: 'Participants' }).click();
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const ben = await join(browser, links.guest, 'Ben');
    await decodesFrom(ben.page, 'Ada');
    const adaId = await peerIdOf(ben.page, 'Ada');
    times.push(await keysOpenAfterRemove({ host: ada.page, hostId: adaId, removed: ben.page, name: 'Ben', eve: eve.page }));
    await expect(ben.page.getByRole('alert')).toContainText('A host removed you');
    await ben.context.close();
  }
  console.log(
    [
      'Time from "Remove" until the removed person’s frame secrets decode nothing the host sends (two members, loopback):',
      `  ${summary(times)}`,
    ].join('\n'),
  );
  await Promise.all([ada.context.close(), eve.context.close()]);
});
