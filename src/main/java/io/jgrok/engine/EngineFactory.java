package io.jgrok.engine;

import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;

import java.io.PrintStream;

/**
 * Opens the engine a run trains on. {@link Engines#open} is the one for a run of its own; a batched engine (many
 * same-shaped models per kernel launch) gives each of its runs a factory that returns that run's view of it.
 */
@FunctionalInterface
public interface EngineFactory {
    Engine open(RunConfig config, Split split, PrintStream notices);
}
