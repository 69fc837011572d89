/** Marks this test session so that the shared real run is made once per `vitest run`, not once per file. */
export default function setup(): void {
  process.env.LAB_TEST_SESSION ??= String(Date.now());
}
