// Starts a fake Asana on 127.0.0.1 (random port) for one test; defaults to the sandbox demo data.
import { FakeAsana, type FakeData } from "../../src/sandbox/fake-asana.js";

export interface StartedFakeAsana {
  fake: FakeAsana;
  /** "http://127.0.0.1:PORT" */
  origin: string;
  /** `${origin}/api/1.0`, what the server's ASANA_BASE_URL should be. */
  baseUrl: string;
  close: () => Promise<void>;
}

export async function startFakeAsana(data?: FakeData): Promise<StartedFakeAsana> {
  const fake = new FakeAsana(data);
  const origin = await fake.listen();
  return { fake, origin, baseUrl: `${origin}/api/1.0`, close: () => fake.close() };
}
