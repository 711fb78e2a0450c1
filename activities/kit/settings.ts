/**
 * A process's own settings: environment variables validated with zod, with defaults that run on one machine, and
 * what follows from them (paths in the data directory, URLs). A process declares them in
 * `activities/<name>/settings.ts`; its worker part and its run options read them with `settings.of(config)`; every
 * part of Overture checks every installed process's settings when it starts, so a bad value stops it at once.
 *
 * ```ts
 * export const settings = defineSettings({ EDITOR_EMAIL: z.email().default('editor@overture.local') }, (raw) => raw);
 * ```
 */
import { z } from 'zod';
import { ConfigError, type OvertureConfig } from '../../src/config/platform';

/** A process's settings, read from the configuration's environment. */
export interface ProcessSettings<S> {
  /** The environment variables the process reads. */
  readonly variables: readonly string[];
  /** The settings of this configuration (read once per configuration); throws ConfigError naming each bad variable. */
  of(config: OvertureConfig): S;
}

/**
 * Declares a process's settings: `variables` are zod schemas by environment variable; `derive` turns their values
 * into the settings the process uses, with Overture's own configuration at hand (its data directory, its URLs).
 */
export function defineSettings<V extends z.ZodRawShape, S>(
  variables: V,
  derive: (raw: z.infer<z.ZodObject<V>>, config: OvertureConfig) => S,
): ProcessSettings<S> {
  const schema = z.object(variables);
  const read = new WeakMap<OvertureConfig, S>();
  return {
    variables: Object.keys(variables),
    of(config) {
      const known = read.get(config);
      if (known !== undefined) return known;
      const parsed = schema.safeParse(config.env);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
        throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
      }
      const settings = derive(parsed.data, config);
      read.set(config, settings);
      return settings;
    },
  };
}
