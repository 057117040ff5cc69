import { After, setDefaultTimeout, setWorldConstructor, World, type IWorldOptions } from '@cucumber/cucumber';

setDefaultTimeout(120_000);

/**
 * The scenario's world: everything a step starts goes on `cleanup` (an AsyncDisposableStack-like
 * list of guards) so the After hook tears it down even when a step fails.
 */
export class HarnessWorld extends World {
  readonly #disposables: AsyncDisposable[] = [];
  /** Free-form state steps hand to each other (the last run's result, ports, …). */
  readonly state = new Map<string, unknown>();

  constructor(options: IWorldOptions) {
    super(options);
  }

  own<T extends AsyncDisposable>(resource: T): T {
    this.#disposables.push(resource);
    return resource;
  }

  async disposeAll(): Promise<void> {
    const errors: unknown[] = [];
    while (this.#disposables.length) {
      try {
        await this.#disposables.pop()?.[Symbol.asyncDispose]();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length) throw new AggregateError(errors, 'teardown failed');
  }
}

setWorldConstructor(HarnessWorld);

After(async function (this: HarnessWorld) {
  await this.disposeAll();
});
