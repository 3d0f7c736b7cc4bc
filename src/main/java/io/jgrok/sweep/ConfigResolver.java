package io.jgrok.sweep;

import io.jgrok.config.RunConfig;

import java.util.Map;

/**
 * Turns one run's flags, as a sweep spec gives them, into a validated config. The CLI's implementation parses
 * them exactly as {@code ./jgrok train} does, so every train flag means the same in a spec.
 */
public interface ConfigResolver {

    /** The flag's canonical (snake_case) name if a spec may set it, else null. */
    String canonicalFlag(String name);

    /** The flag a spec may set nearest to an unknown key ("lrr": "lr"), or null when none is near. */
    default String nearestFlag(String name) {
        return null;
    }

    /** The config of one run; bad values are {@link io.jgrok.UserError}s with one-line messages. */
    RunConfig resolve(Map<String, String> flags);
}
