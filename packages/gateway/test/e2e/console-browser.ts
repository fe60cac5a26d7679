/**
 * Headless Chromium for the console's end-to-end tests: Debian's `/usr/bin/chromium` driven by `playwright-core`
 * (never a browser download), one browser context per person (own cookies), each page with a DevTools virtual
 * authenticator standing in for that person's security key (CDP `WebAuthn.enable` +
 * `WebAuthn.addVirtualAuthenticator`: CTAP2, internal transport, resident keys, user verification that succeeds,
 * https://chromedevtools.github.io/devtools-protocol/tot/WebAuthn/).
 */
import {
  type Browser,
  type BrowserContext,
  type CDPSession,
  chromium,
  type Page,
} from 'playwright-core';
import { expect } from 'vitest';

/** The Chromium the tests drive (Debian's `chromium` package; `.ci/run` installs it). */
export const CHROMIUM = process.env.HANDOFF_CHROMIUM ?? '/usr/bin/chromium';

/** Starts headless Chromium with nothing in the background (no updates, no sync, no network of its own). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A person at their browser: a context (cookies), a page, and the page's virtual authenticator. */
export interface Person {
  name: string;
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
}

/** One WebAuthn credential of a virtual authenticator (CDP `WebAuthn.Credential`), private key included. */
export interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

/** Opens a new person: a fresh context and page with a virtual authenticator of their own. */
export async function newPerson(browser: Browser, name: string): Promise<Person> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  return { name, context, page, cdp, authenticatorId };
}

/** The credentials the person's authenticator holds. */
export async function credentialsOf(person: Person): Promise<VirtualCredential[]> {
  const { credentials } = await person.cdp.send('WebAuthn.getCredentials', {
    authenticatorId: person.authenticatorId,
  });
  return credentials as VirtualCredential[];
}

/** Opens the enrolment link, creates the passkey, then signs in with it; waits for the signed-in header. */
export async function enrolAndSignIn(
  person: Person,
  enrolmentUrl: string,
  subject: string,
): Promise<void> {
  const { page } = person;
  await page.goto(enrolmentUrl);
  await expect.poll(() => page.getByTestId('enrol-subject').textContent()).toBe(subject);
  await page.getByTestId('enrol').click();
  await page.getByTestId('enrolled').waitFor();
  expect(await credentialsOf(person)).toHaveLength(1);
  await page.getByTestId('sign-in').click();
  await expect.poll(() => page.getByTestId('who').textContent()).toContain(subject);
}

/** The text of the console's error note on the page, once one shows. */
export async function errorShown(page: Page): Promise<string> {
  const note = page.getByTestId('error').first();
  await note.waitFor();
  return (await note.textContent()) ?? '';
}
