import { join } from 'node:path';
import type { Page } from 'playwright-core';

/** The main pages, captured by the tests for docs/web.md. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.screenshot({
    path: join(__dirname, '../../../docs/web', `${name}.png`),
    fullPage: true,
    animations: 'disabled',
  });
}
