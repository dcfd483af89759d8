import { test } from '@playwright/test';
import { decodesFrom } from '../support/decoding';
import { admit, knock } from '../support/lobby';
import { join, newHostLinks } from '../support/participants';
import { summary } from './figures';

const RUNS = Number(process.env.RAUM_BENCH_RUNS ?? 10);

/** Ben knocks, again and again; Ada lets him in from the call view. Prints figures, asserts none. */
test('time from "Admit" to the admitted person’s first frame', async ({ browser }) => {
  test.setTimeout(RUNS * 60_000);
  const links = newHostLinks();
  const ada = await join(browser, links.host, 'Ada');
  await ada.page.getByRole('button', { name: 'Participants' }).click();
  await ada.page.getByRole('dialog', { name: 'Participants' }).getByRole('button', { name: 'Lobby' }).click();
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const ben = await knock(browser, links.guest, 'Ben');
    // A host reads the knock before clicking: the knocker's page is done starting by then, as it would be.
    await ada.page.locator('[data-knock="Ben"]').waitFor();
    await ada.page.waitForTimeout(1000);
    times.push(await admit(ada.page, ben));
    await decodesFrom(ada.page, 'Ben', 1);
    await ben.context.close();
  }
  console.log(
    [
      'Time from "Admit" until the admitted person presents the host’s first frame (MLS Add and Welcome, transports, key frame; loopback):',
      `  ${summary(times)}`,
    ].join('\n'),
  );
  await ada.context.close();
});
